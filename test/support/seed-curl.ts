import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const seed = new URL('../../../../shared/seeds/000_c345cdeb40b5178b.txt', import.meta.url);

export const seedAvailable = (): boolean => {
  try {
    readFileSync(seed);
    return true;
  } catch {
    return false;
  }
};

/** The seed's curl lines whose text matches `pattern`, exactly as written there. */
export function seedCurls(pattern: RegExp): string[] {
  return readFileSync(seed, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('curl ') && pattern.test(line));
}

/** Splits a command line the way sh would for the seed's simple lines (double quotes only). */
export function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
}

/** Runs a seed curl line with each argument rewritten (CA, URL, token), in `cwd`: HTTP status and body. */
export async function runSeedCurl(
  line: string,
  rewrite: (word: string) => string,
  cwd?: string,
): Promise<{ status: number; body: string }> {
  const args = words(line).slice(1).map(rewrite);
  const { stdout } = await run('curl', ['-s', ...args], { cwd });
  const [head = '', ...rest] = stdout.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') };
}
