import { spawn } from 'node:child_process';
import { waitForLine } from './child-process-output.js';
import { relayMain, tlsDir } from './repo-paths.js';
import { stopChild } from './server-process.js';

export interface RelayProcess {
  imUrl: string;
  stop(): Promise<void>;
}

/** The bare relay (bench/relay/relay-main.ts) in its own process, as eschat runs in its own. */
export async function startRelay(tls: boolean): Promise<RelayProcess> {
  const child = spawn(process.execPath, [relayMain], {
    env: { ...process.env, ...(tls ? { RELAY_TLS_DIR: tlsDir } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await waitForLine(child, 'relay', (entry) => (entry['msg'] === 'relay listening' ? Number(entry['port']) : null)).found;
  return {
    imUrl: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/im`,
    stop: () => stopChild(child),
  };
}
