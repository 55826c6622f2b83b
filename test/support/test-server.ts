import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { HttpsClient } from './https-client.js';

/** One development CA for the whole test run: generating keys per server would be slow. */
export const testCertificates = join(tmpdir(), 'eschat-test-certificates');

export interface TestServer {
  server: RunningServer;
  client: HttpsClient;
  config: Config;
  dataDir: string;
  /** Stops the server; `keepData` leaves the data directory for a restart. */
  stop(keepData?: boolean): Promise<void>;
}

/** Starts the embedded default in this process on a free port, with a fresh data directory. */
export async function startTestServer(
  env: Record<string, string> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'eschat-test-')),
): Promise<TestServer> {
  const config = loadConfig({
    env: {
      ESCHAT_DATA: dataDir,
      ESCHAT_PORT: '0',
      ESCHAT_IM_PORT: '0',
      ESCHAT_HOST: '127.0.0.1',
      ESCHAT_LOG_LEVEL: 'silent',
      ESCHAT_DURABILITY: 'normal',
      ...env,
    },
    cwd: dataDir,
    argv: {},
  });
  config.tls.dir = testCertificates;
  const server = await startServer(config, createLogger(config.logLevel));
  const scheme = config.tls.enabled ? 'https' : 'http';
  const ca = config.tls.enabled ? readFileSync(join(testCertificates, 'ca.crt')) : undefined;
  const client = new HttpsClient(`${scheme}://localhost:${server.port}`, ca);
  return {
    server,
    client,
    config,
    dataDir,
    async stop(keepData = false) {
      await server.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
