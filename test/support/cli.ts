import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The built `eschat` command beside this test (dist/ or any other output directory). */
export const cliMain = new URL('../../src/main.js', import.meta.url).pathname;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a CLI run: the test's data directory, nothing of the developer's own. */
function cliEnv(dataDir: string, env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ESCHAT_') && key !== 'NO_COLOR'));
  return { ...clean, ESCHAT_DATA: dataDir, ...env };
}

/** Runs `eschat <args>` to its end, as a user would from a shell (stdout and stderr are pipes, not a terminal). */
export function runCli(dataDir: string, args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [cliMain, ...args], { cwd: dataDir, env: cliEnv(dataDir, env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The JSON lines of a run's stdout. */
export function jsonLines(run: CliRun): Array<Record<string, unknown>> {
  return run.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A long-running `eschat` (a tail): its lines as they come, and a way to stop it as Ctrl-C would. */
export interface CliProcess {
  child: ChildProcess;
  /** Resolves with the first `count` lines of stdout (waits for them). */
  lines(count: number): Promise<string[]>;
  interrupt(): Promise<number | null>;
}

export function startCli(dataDir: string, args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [cliMain, ...args], { cwd: dataDir, env: cliEnv(dataDir, env), stdio: ['ignore', 'pipe', 'pipe'] });
  const seen: string[] = [];
  let waiters: Array<{ count: number; resolve: (lines: string[]) => void }> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    seen.push(line);
    waiters = waiters.filter((waiter) => (seen.length >= waiter.count ? (waiter.resolve(seen.slice(0, waiter.count)), false) : true));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines(count) {
      if (seen.length >= count) return Promise.resolve(seen.slice(0, count));
      return new Promise((resolve, reject) => {
        waiters.push({ count, resolve });
        void exited.then((code) => reject(new Error(`eschat exited with ${code} after ${seen.length} lines: ${stderr}`)));
      });
    },
    interrupt() {
      child.kill('SIGINT');
      return exited;
    },
  };
}
