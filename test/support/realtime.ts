import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImClient } from './im-client.js';
import { testCertificates, type TestServer } from './test-server.js';
import type { TestUser } from './users.js';

const ca = (): Buffer => readFileSync(join(testCertificates, 'ca.crt'));

/** An IM client on the server's WebSocket endpoint `/im`, signed in as `user` with `device`. */
export async function imOverWebSocket(t: TestServer, user: TestUser, device = 'android'): Promise<ImClient> {
  const client = await ImClient.websocket(`wss://localhost:${t.server.port}/im`, ca());
  await expectLogin(client, user, device);
  return client;
}

/** An IM client on the legacy TLS port, signed in as `user` with `device`. */
export async function imOverTls(t: TestServer, user: TestUser, device = 'android'): Promise<ImClient> {
  const client = await ImClient.tls(t.server.imPort, ca());
  await expectLogin(client, user, device);
  return client;
}

async function expectLogin(client: ImClient, user: TestUser, device: string): Promise<void> {
  const answer = await client.login(user, device);
  if (answer.fields['s'] !== 0) throw new Error(`login refused: ${JSON.stringify(answer)}`);
}
