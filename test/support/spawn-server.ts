import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ensureDevCertificates } from '../../src/platform/dev-certificates.js';
import { HttpsClient } from './https-client.js';
import { testCertificates } from './test-server.js';

const main = new URL('../../src/main.js', import.meta.url).pathname;

export interface ServerProcess {
  child: ChildProcess;
  client: HttpsClient;
  port: number;
  /** The IM port (TLS) the process announced. */
  imPort: number;
  /** Every log line the process wrote, for tests that search them. */
  logs: string[];
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs `eschat serve` as its own process (what `npm start` runs) on a free port, using the
 * test run's development certificates, and resolves once it listens. `spawned` gets the process
 * at once, for a test that kills it before it listens.
 */
export async function spawnServer(
  dataDir: string,
  env: Record<string, string> = {},
  spawned?: (child: ChildProcess) => void,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [main, 'serve'], {
    cwd: dataDir,
    env: {
      ...process.env,
      ESCHAT_DATA: dataDir,
      ESCHAT_PORT: '0',
      ESCHAT_IM_PORT: '0',
      ESCHAT_HOST: '127.0.0.1',
      ESCHAT_LOG_LEVEL: 'info',
      ESCHAT_TLS_CERT: join(testCertificates, 'server.crt'),
      ESCHAT_TLS_KEY: join(testCertificates, 'server.key'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned?.(child);
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const { port, imPort } = await new Promise<{ port: number; imPort: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      const entry = JSON.parse(line) as { msg?: string; port?: number; imPort?: number };
      if (entry.msg === 'eschat listening' && entry.port && entry.imPort) resolve({ port: entry.port, imPort: entry.imPort });
    });
    child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${logs.join('\n')}`)));
  });
  const client = new HttpsClient(`https://localhost:${port}`, readFileSync(join(testCertificates, 'ca.crt')));
  return {
    child,
    client,
    port,
    imPort,
    logs,
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      child.kill(signal);
      return exited;
    },
  };
}

/** Two processes started together on one fresh data directory (named `prefix`...): a several-processes test's set-up. */
export async function spawnTwo(
  prefix: string,
  env: Record<string, string> = {},
): Promise<{ dataDir: string; one: ServerProcess; two: ServerProcess }> {
  await ensureDevCertificates(testCertificates);
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const [one, two] = await Promise.all([spawnServer(dataDir, env), spawnServer(dataDir, env)]);
  return { dataDir, one, two };
}

/** Stops the processes gracefully (those that started), then removes their data directory. */
export async function stopAll(dataDir: string | undefined, ...servers: Array<ServerProcess | undefined>): Promise<void> {
  await Promise.all(servers.map((server) => server?.kill('SIGTERM')));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
