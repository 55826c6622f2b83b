import type { LogManifest } from '../log/log-manifest.js';
import { HttpClient } from './http-client.js';
import { expectImSuccess } from './im-answer.js';
import { checkProbe } from './log-probe.js';
import { residentBytes } from './process-memory.js';
import { startServer, type ServerOptions, type ServerProcess } from './server-process.js';

const MIB = 1024 * 1024;

export interface TimedStart {
  server: ServerProcess;
  /** From spawning the process until `GET /health` answered. */
  seconds: number;
  /** Resident memory right after that. */
  residentMiB: number;
}

/**
 * Starts eschat on a data directory holding a generated log, times it until `GET /health`
 * answers, reads its memory, then checks the probe user's answers against the manifest.
 * The server is left running; a failed check stops it.
 */
export async function timedStart(options: ServerOptions, manifest: LogManifest, what: string): Promise<TimedStart> {
  const started = performance.now();
  const server = await startServer(options);
  const http = new HttpClient(server.httpUrl);
  try {
    expectImSuccess(await http.get('/health'), `${what}: GET /health`);
    const seconds = (performance.now() - started) / 1000;
    const residentMiB = residentBytes(server.pid) / MIB;
    await checkProbe(http, manifest, what);
    return { server, seconds, residentMiB };
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    http.close();
  }
}
