import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CrashWorld, WorldMessage, WorldUser } from './crash-world.js';
import { IM_DEVICE } from './crash-workload.js';
import { ImClient } from './im-client.js';
import type { ServerProcess } from './spawn-server.js';
import { testCertificates } from './test-server.js';

/**
 * Sends every message again, as a client does after a crash: the same client id from the same
 * session or device. The server must answer with the message it stored (the same id), or store
 * it now, once. Returns what went wrong.
 */
export async function retryMessages(server: ServerProcess, world: CrashWorld): Promise<string[]> {
  const problems: string[] = [];
  const retry = (message: WorldMessage, id: number | null, refusal: string | null) => {
    if (refusal !== null) problems.push(`the retry of ${message.clientId} was refused: ${refusal}`);
    else if (message.id !== null && id !== message.id)
      problems.push(`the retry of ${message.clientId} answered ${id}, not ${message.id}: stored twice`);
    if (id !== null) Object.assign(message, { id, sent: 'acked' });
  };
  const due = world.messages.filter((message) => message.group.id !== null && message.sender.token !== null);
  for (const message of due.filter((each) => each.path === 'v1 HTTP')) {
    const answer = await server.client.json(
      'POST',
      `/v1/rooms/${message.group.id}/messages`,
      { text: message.text, client_id: message.clientId },
      message.sender.token!,
    );
    retry(message, (answer.body as { id?: number }).id ?? null, answer.status === 200 ? null : JSON.stringify(answer.body));
  }
  const bySender = new Map<WorldUser, WorldMessage[]>();
  for (const message of due.filter((each) => each.path === 'IM WebSocket'))
    bySender.set(message.sender, [...(bySender.get(message.sender) ?? []), message]);
  for (const [sender, messages] of bySender) {
    const im = await ImClient.websocket(`wss://localhost:${server.port}/im`, readFileSync(join(testCertificates, 'ca.crt')));
    if ((await im.login({ id: sender.id!, token: sender.token! }, IM_DEVICE)).fields['s'] !== 0)
      problems.push(`${sender.login} cannot log in over IM`);
    for (const message of messages) {
      im.send('gm', { id: message.clientId, c: message.text, g_id: message.group.id! });
      const answer = await im.next((frame) => (frame.type === 'a' || frame.type === 'rr') && frame.fields['id'] === message.clientId);
      retry(
        message,
        answer.type === 'a' ? (answer.fields['mid'] as number) : null,
        answer.type === 'a' ? null : String(answer.fields['r']),
      );
    }
    im.close();
  }
  return problems;
}
