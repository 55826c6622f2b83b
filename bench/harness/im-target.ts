import type { BenchOptions } from './bench-options.js';
import { HttpClient } from './http-client.js';
import { createUsers, type BenchUser } from './population.js';
import { startRelay } from './relay-process.js';
import { startServer, type ServerOptions } from './server-process.js';

/** What IM clients connect to, with the users they log in as. */
export interface ImTarget {
  name: 'eschat' | 'plain eschat' | 'relay';
  imUrl: string;
  users: readonly BenchUser[];
  stop(): Promise<void>;
}

/**
 * eschat in its own process, with `count` users registered and signed in through its API; `settings`
 * choose its data directory (kept at stop when given), extra ESCHAT_* settings, or the plain server.
 */
export async function eschatTarget(
  options: BenchOptions,
  count: number,
  settings: Pick<ServerOptions, 'dataDir' | 'env' | 'plain'> = {},
): Promise<ImTarget> {
  const server = await startServer({ ...settings, tls: options.tls, profileDir: options.profileDir });
  try {
    const http = new HttpClient(server.httpUrl);
    const users = await createUsers(http, count);
    http.close();
    return { name: settings.plain === true ? 'plain eschat' : 'eschat', imUrl: server.imUrl, users, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The bare relay: anyone logs in as anyone, so the users are just ids. */
export async function relayTarget(options: BenchOptions, count: number): Promise<ImTarget> {
  const relay = await startRelay(options.tls);
  const users = Array.from({ length: count }, (_, i) => ({ id: i + 1, token: 'none', phone: '' }));
  return { name: 'relay', imUrl: relay.imUrl, users, stop: () => relay.stop() };
}
