import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const KEPT_LINES = 50;

/**
 * Watches a child's stdout for the first JSON line that `match` accepts, keeping the last lines
 * of both streams for the error message when it exits first. Lines after the match are not
 * parsed: a server logging every request must not cost the load generator.
 */
export function waitForLine<T>(
  child: ChildProcess,
  what: string,
  match: (entry: Record<string, unknown>) => T | null,
): { found: Promise<T>; tail: () => string } {
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
  };
  const found = new Promise<T>((resolve, reject) => {
    let done = false;
    const reader = createInterface({ input: child.stdout! });
    reader.on('line', (line) => {
      keep(line);
      if (done) return;
      const value = parse(line, match);
      if (value === null) return;
      done = true;
      reader.close();
      // Keep draining: a child blocked on a full stdout pipe would stall mid-benchmark.
      child.stdout!.on('data', () => undefined).resume();
      resolve(value);
    });
    child.stderr!.on('data', (chunk: Buffer) => keep(chunk.toString().trimEnd()));
    child.once('exit', (code, signal) => {
      if (!done) reject(new Error(`${what} exited (${code ?? signal}) before it was ready:\n${lines.join('\n')}`));
    });
  });
  return { found, tail: () => lines.join('\n') };
}

function parse<T>(line: string, match: (entry: Record<string, unknown>) => T | null): T | null {
  try {
    const entry: unknown = JSON.parse(line);
    return typeof entry === 'object' && entry !== null ? match(entry as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
