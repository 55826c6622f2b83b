import { expect } from 'chai';
import type { TomlFrame } from '../../../src/codecs/im/toml-frame.js';
import type { ImClient } from '../../support/im-client.js';
import { deleteOffline, getOffline } from '../../support/offline.js';
import { imOverTls, imOverWebSocket } from '../../support/realtime.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { imUser, type TestUser } from '../../support/users.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const messages = (frames: readonly TomlFrame[]) => frames.filter((frame) => frame.type === 'm').map((frame) => String(frame.fields['c']));

/** Sends 1:1 texts and waits until each is stored. */
let sent = 0;
async function send(sender: ImClient, to: TestUser, texts: readonly string[]): Promise<void> {
  const ids = texts.map(() => `msg_${++sent}`);
  texts.forEach((text, n) => sender.send('m', { id: ids[n]!, c: text, to: to.id, t: 'text', d: 'android' }));
  for (const id of ids) await sender.next((frame) => frame.type === 'a' && frame.fields['id'] === id);
}

/** Collects the messages a legacy client receives, acknowledging each as the reference client does. */
function acknowledging(client: ImClient, device = 'android'): string[] {
  const received: string[] = [];
  client.onFrame = (frame) => {
    if (frame.type === 'm') received.push(String(frame.fields['c']));
    if (frame.type !== 'rr') client.ack(frame, device);
  };
  return received;
}

describe('GET /offline and DELETE /offline, with the legacy transport', () => {
  let t: TestServer;
  let alice: TestUser;
  let sender: ImClient;
  let phone = 8614000000000;
  const user = async (name: string) => imUser(t, name, String(++phone));
  before(async () => {
    t = await startTestServer();
    alice = await user('alice');
    sender = await imOverWebSocket(t, alice, 'sender');
  });
  after(async () => {
    sender.close();
    await t.stop();
  });

  it('answers the envelope, CR LF, then the deflate of nothing when nothing waits', async () => {
    const bob = await user('bob');
    expect(await getOffline(t, bob.token)).to.deep.equal([]);
    const answer = await t.client.request('GET', '/offline', { headers: { cookie: `token=${bob.token}` } });
    expect(answer.bytes.equals(Buffer.from('[[response]]\nstatus = 0\n\r\n\x03\x00', 'latin1'))).to.equal(true);
  });

  it('follows the reference client: the backlog only through GET /offline, oldest first, each message exactly once', async () => {
    const bob = await user('bob');
    const backlog = Array.from({ length: 160 }, (_, n) => `away ${n} \r\n "${'x'.repeat(n)}"`);
    await send(sender, bob, backlog);

    const client = await imOverTls(t, bob);
    const live = acknowledging(client);
    const fetched = messages(await getOffline(t, bob.token));
    expect(fetched).to.deep.equal(backlog);
    // A message that arrives between GET and DELETE comes over the socket, and DELETE does not take it.
    await send(sender, bob, ['between']);
    await deleteOffline(t, bob.token);
    await send(sender, bob, ['after']);
    await sleep(300);
    expect(live).to.deep.equal(['between', 'after']);
    expect(await getOffline(t, bob.token)).to.deep.equal([]);
    client.close();
    await sleep(100);

    const again = await imOverTls(t, bob);
    const resent = acknowledging(again);
    await sleep(300);
    expect(resent, 'nothing is pushed at the next login: everything was acknowledged').to.deep.equal([]);
    again.close();
  });

  it('counts as delivered only what GET served: a message after it stays waiting when the device is away', async () => {
    const carol = await user('carol');
    await send(sender, carol, ['first']);
    expect(messages(await getOffline(t, carol.token))).to.deep.equal(['first']);
    await send(sender, carol, ['second']);
    await deleteOffline(t, carol.token);
    expect(messages(await getOffline(t, carol.token))).to.deep.equal(['second']);
    await deleteOffline(t, carol.token);
    expect(await getOffline(t, carol.token)).to.deep.equal([]);
  });

  it('sends a legacy device again at its next login only what it was sent live and did not acknowledge', async () => {
    const dave = await user('dave');
    const first = await imOverTls(t, dave);
    await send(sender, dave, ['live 1', 'live 2', 'live 3']);
    const got = [];
    for (let n = 0; n < 3; n++) got.push(await first.next((frame) => frame.type === 'm'));
    first.ack(got[1]!);
    await sleep(100);
    first.close();
    await sleep(100);
    await send(sender, dave, ['away 1', 'away 2']);

    const second = await imOverTls(t, dave);
    const pushed = acknowledging(second);
    await sleep(300);
    expect(pushed).to.deep.equal(['live 1', 'live 3']);
    expect(messages(await getOffline(t, dave.token))).to.deep.equal(['away 1', 'away 2']);
    await deleteOffline(t, dave.token);
    second.close();
  });

  it('gives a WebSocket device everything it has not acknowledged at login, the away backlog included', async () => {
    const erin = await user('erin');
    const legacy = await imOverTls(t, erin, 'phone');
    await send(sender, erin, ['live']);
    await legacy.next((frame) => frame.type === 'm');
    legacy.close();
    await sleep(100);
    await send(sender, erin, ['away']);
    const ws = await imOverWebSocket(t, erin, 'phone');
    const resumed = [await ws.next((frame) => frame.type === 'm'), await ws.next((frame) => frame.type === 'm')];
    expect(resumed.map((frame) => frame.fields['c'])).to.deep.equal(['live', 'away']);
    ws.close();
  });

  it('keeps what a legacy device was sent and did not acknowledge across a restart, and its backlog for GET /offline', async () => {
    const frank = await user('frank');
    const first = await imOverTls(t, frank);
    await send(sender, frank, ['unacked']);
    await first.next((frame) => frame.type === 'm');
    first.close();
    await sleep(100);
    await send(sender, frank, ['while away']);
    sender.close();

    const dataDir = t.dataDir;
    await t.stop(true);
    t = await startTestServer({}, dataDir);
    sender = await imOverWebSocket(t, alice, 'sender');

    const second = await imOverTls(t, frank);
    const pushed = acknowledging(second);
    await sleep(300);
    expect(pushed).to.deep.equal(['unacked']);
    expect(messages(await getOffline(t, frank.token))).to.deep.equal(['while away']);
    second.close();
  });
});
