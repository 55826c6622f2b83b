import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImClient } from './im-client.js';
import { v1Group } from './rooms.js';
import type { ServerProcess } from './spawn-server.js';
import { testCertificates } from './test-server.js';
import { imUser, v1User } from './users.js';

export interface Bystanders {
  /** Ends the chat: how many rounds went round, and what went wrong in any of them. */
  stop(): Promise<{ rounds: number; failures: string[] }>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two users chatting in a group while a test attacks the server: each round, one sends over v1
 * HTTP and the other receives it over IM WebSocket, then answers over IM TLS and is acknowledged.
 * Whatever the attack does, it must stay confined to the attacker's requests and connections.
 */
export async function startBystanders(server: ServerProcess, phone = '8613400000001'): Promise<Bystanders> {
  const ca = readFileSync(join(testCertificates, 'ca.crt'));
  const alice = await v1User(server, `bystander-${phone}`);
  const bob = await imUser(server, `bystander ${phone}`, phone);
  const room = (await v1Group(server, alice, 'bystanders', [bob])).id;
  const onWebSocket = await ImClient.websocket(`wss://localhost:${server.port}/im`, ca);
  const onTls = await ImClient.tls(server.imPort, ca);
  for (const [client, device] of [
    [onWebSocket, 'bystander-ws'],
    [onTls, 'bystander-tls'],
  ] as const) {
    if ((await client.login(bob, device)).fields['s'] !== 0) throw new Error('bystander login refused');
  }
  const failures: string[] = [];
  let rounds = 0;
  let stopped = false;

  async function round(n: number): Promise<void> {
    const sent = await server.client.json(
      'POST',
      `/v1/rooms/${room}/messages`,
      { text: `round ${n} "quoted"\n🙂`, client_id: `by_${n}` },
      alice.token,
    );
    if (sent.status !== 200) throw new Error(`v1 send answered ${sent.status}`);
    const received = await onWebSocket.next((frame) => frame.type === 'gm' && frame.fields['id'] === `by_${n}`);
    if (received.fields['c'] !== `round ${n} "quoted"\n🙂`) throw new Error(`received ${JSON.stringify(received.fields['c'])}`);
    onWebSocket.ack(received, 'bystander-ws');
    onTls.send('gm', { id: `tls_${n}`, c: `reply ${n}`, g_id: room });
    await onTls.next((frame) => frame.type === 'a' && frame.fields['id'] === `tls_${n}`);
    // What else arrived (copies, the reply coming back) is not this round's business.
    onWebSocket.frames.length = 0;
    onTls.frames.length = 0;
  }

  const loop = (async () => {
    while (!stopped) {
      rounds += 1;
      await round(rounds).catch((error: Error) => failures.push(`round ${rounds}: ${error.message.slice(0, 200)}`));
      await pause(150);
    }
  })();

  return {
    async stop() {
      stopped = true;
      await loop;
      onWebSocket.close();
      onTls.close();
      return { rounds, failures };
    },
  };
}
