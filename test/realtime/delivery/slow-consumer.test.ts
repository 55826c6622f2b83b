import { expect } from 'chai';
import { deleteOffline, getOffline } from '../../support/offline.js';
import { imOverTls, imOverWebSocket } from '../../support/realtime.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { responseOf } from '../../support/toml.js';
import { imUser, type TestUser } from '../../support/users.js';

describe('a client that never reads', () => {
  let t: TestServer;
  let sender: TestUser;
  let steady: TestUser;
  let stalled: TestUser;
  let group: number;
  before(async () => {
    // A small send buffer and a short stall timeout, so that the stalled client is dropped soon.
    t = await startTestServer({ ESCHAT_SEND_BUFFER: '65536', ESCHAT_STALL_TIMEOUT: '2' });
    [sender, steady, stalled] = [
      await imUser(t, 's', '8612000000001'),
      await imUser(t, 'r', '8612000000002'),
      await imUser(t, 'x', '8612000000003'),
    ];
    const created = responseOf(
      (await t.client.form('POST', '/group', { name: 'g', 'members[]': [String(steady.id), String(stalled.id)] }, sender.token)).text,
    );
    group = (created['group'] as { id: number }).id;
  });
  after(() => t.stop());

  it('does not stall the others; it is cut off, and after reconnecting misses nothing', async function () {
    this.timeout(60_000);
    const count = 600;
    const text = 'x'.repeat(8000);
    const frozen = await imOverTls(t, stalled, 'frozen');
    const reader = await imOverWebSocket(t, steady, 'reader');
    const writer = await imOverWebSocket(t, sender, 'writer');
    frozen.pause();
    for (let i = 0; i < count; i++) writer.send('gm', { id: `big_${i}`, c: `${i} ${text}`, g_id: group });
    const received: string[] = [];
    while (received.length < count) {
      const frame = await reader.next((f) => f.type === 'gm', 20_000);
      reader.ack(frame, 'reader');
      received.push(String(frame.fields['id']));
    }
    expect(received).to.deep.equal(Array.from({ length: count }, (_, i) => `big_${i}`));
    // Past the stall timeout (2 s here) the server drops the client that took nothing.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    frozen.resume();
    await frozen.next(() => false, 3000).catch(() => undefined);
    expect(frozen.closed, 'the stalled client was disconnected').to.equal(true);
    const partial = frozen.frames.filter((frame) => frame.type === 'gm').length;
    expect(partial).to.be.lessThan(count);

    // As simple_im's client: what it was sent comes again over the socket, what never left comes through GET /offline.
    const again = await imOverTls(t, stalled, 'frozen');
    const fetched = (await getOffline(t, stalled.token)).filter((frame) => frame.type === 'gm').map((frame) => String(frame.fields['id']));
    await deleteOffline(t, stalled.token);
    const resent: string[] = [];
    while (resent.length + fetched.length < count) {
      const frame = await again.next((f) => f.type === 'gm', 20_000);
      again.ack(frame, 'frozen');
      resent.push(String(frame.fields['id']));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(
      again.frames.filter((frame) => frame.type === 'gm'),
      'nothing twice',
    ).to.deep.equal([]);
    expect(resent.length, 'what was written before the stall is sent again').to.be.greaterThan(0);
    expect([...resent, ...fetched]).to.deep.equal(received);
    console.log(
      `      slow consumer: got ${partial} of ${count} before being cut off; after reconnecting ${resent.length} again and ${fetched.length} through GET /offline`,
    );
    for (const client of [again, reader, writer]) client.close();
  });
});
