import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForLine } from './child-process-output.js';
import { eschatMain, plainServerMain, tlsDir } from './repo-paths.js';

export interface ServerOptions {
  /** Prepared data directory (e.g. holding a generated log), left in place at stop; a fresh temporary one, removed at stop, when absent. */
  dataDir?: string;
  /** Extra ESCHAT_* settings a benchmark needs. */
  env?: Record<string, string>;
  tls: boolean;
  /** `--cpu-prof` into this directory. */
  profileDir?: string | null;
  /** The server without the encrypting store (bench/plain-server), personal data in clear: crypto's baseline. */
  plain?: boolean;
}

export interface ServerProcess {
  pid: number;
  /** `http://127.0.0.1:<port>` (https with TLS). */
  httpUrl: string;
  /** `ws://127.0.0.1:<port>/im` (wss with TLS). */
  imUrl: string;
  /** SIGTERM (the graceful path, which also writes a CPU profile), then a temporary data directory is removed. */
  stop(): Promise<void>;
}

const STOP_DEADLINE_MS = 15_000;

/**
 * `eschat serve` in its own process, as `npm start` runs it (or the plain server, the same
 * command), on free ports of 127.0.0.1, with durable commits (the default), resolved once it
 * logs that it listens.
 */
export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'eschat-bench-'));
  const removeDataDir = (): void => {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const main = options.plain === true ? plainServerMain : eschatMain;
  const child = spawn(process.execPath, [...profile, main, 'serve'], {
    // The data directory as cwd: no eschat.toml of the checkout is picked up.
    cwd: dataDir,
    env: { ...process.env, ...serverEnv(dataDir, options.tls), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { found } = waitForLine(child, 'eschat serve', (entry) => (entry['msg'] === 'eschat listening' ? Number(entry['port']) : null));
  let port: number;
  try {
    port = await found;
  } catch (error) {
    removeDataDir();
    throw error;
  }
  const scheme = options.tls ? 'https' : 'http';
  return {
    pid: child.pid!,
    httpUrl: `${scheme}://127.0.0.1:${port}`,
    imUrl: `${options.tls ? 'wss' : 'ws'}://127.0.0.1:${port}/im`,
    async stop() {
      await stopChild(child);
      removeDataDir();
    },
  };
}

function serverEnv(dataDir: string, tls: boolean): Record<string, string> {
  return {
    ESCHAT_DATA: dataDir,
    ESCHAT_PORT: '0',
    ESCHAT_IM_PORT: '0',
    ESCHAT_HOST: '127.0.0.1',
    ESCHAT_LOG_LEVEL: 'info',
    ESCHAT_DURABILITY: 'full',
    ESCHAT_TLS: tls ? 'on' : 'off',
    // The checkout's development certificates, generated once and reused by every run.
    ESCHAT_TLS_DIR: tlsDir,
  };
}

/** SIGTERM, then SIGKILL if it does not exit in time. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const deadline = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
  await exited;
  clearTimeout(deadline);
}
