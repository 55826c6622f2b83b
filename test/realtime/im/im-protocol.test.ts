import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImClient } from '../../support/im-client.js';
import { imOverTls, imOverWebSocket } from '../../support/realtime.js';
import { startTestServer, testCertificates, type TestServer } from '../../support/test-server.js';
import { deleteOffline, getOffline } from '../../support/offline.js';
import { imUser, type TestUser } from '../../support/users.js';

describe('the IM protocol', () => {
  let t: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    t = await startTestServer();
    alice = await imUser(t, 'alice', '8610000000001');
    bob = await imUser(t, 'bob', '8610000000002');
  });
  after(() => t.stop());

  it('refuses a login whose token does not match, and closes', async () => {
    const client = await ImClient.websocket(`wss://localhost:${t.server.port}/im`, readFileSync(join(testCertificates, 'ca.crt')));
    const answer = await client.login({ id: alice.id, token: bob.token });
    expect(answer.fields).to.deep.include({ id: 'login_1', t: 'login', s: 1, r: 'Token not match' });
    await client.next(() => false, 2000).catch(() => undefined);
    expect(client.closed).to.equal(true);
  });

  it('names a missing login field', async () => {
    const client = await ImClient.tls(t.server.imPort, readFileSync(join(testCertificates, 'ca.crt')));
    client.send('r', { id: 'x1', t: 'login', user: { id: alice.id, token: alice.token } });
    const answer = await client.next((frame) => frame.type === 'rr');
    expect(answer.fields).to.deep.include({ id: 'x1', s: 1, r: 'd Required' });
  });

  it('delivers a 1:1 message over WebSocket to the recipient on TLS, byte for byte, acknowledged once stored', async () => {
    const sender = await imOverWebSocket(t, alice);
    const recipient = await imOverTls(t, bob);
    const text = 'hello "quoted" \\ back\nnew line 🙂 中文';
    sender.send('m', { id: 'a_02', c: text, to: bob.id, t: 'text', d: 'android' });
    const ack = await sender.next((frame) => frame.type === 'a' && frame.fields['id'] === 'a_02');
    expect(ack.fields['mid']).to.be.a('number');
    const received = await recipient.next((frame) => frame.type === 'm');
    expect(received.fields).to.deep.include({
      id: 'a_02',
      c: text,
      to: bob.id,
      from: alice.id,
      t: 'text',
      d: 'android',
      mid: ack.fields['mid'],
      cursor: ack.fields['mid'],
    });
    expect(received.fields['ts']).to.be.a('number');
    sender.close();
    recipient.close();
  });

  it('puts a 1:1 message in the direct room that v1 finds for the same two users', async () => {
    const sender = await imOverWebSocket(t, alice);
    sender.send('m', { id: 'a_03', c: 'in the room', to: bob.id });
    const ack = await sender.next((frame) => frame.type === 'a' && frame.fields['id'] === 'a_03');
    const room = await t.client.json('POST', '/v1/rooms', { users: [{ id: bob.id, login: 'bob' }] }, alice.token);
    const roomId = (room.body as { id: number }).id;
    const history = (await t.client.json('GET', `/v1/rooms/${roomId}/messages`, undefined, alice.token)).body as Array<{
      id: number;
      text: string;
    }>;
    expect(history.map((message) => message.id)).to.include(ack.fields['mid']);
    sender.close();
  });

  it('acknowledges a retried id again and stores it once', async () => {
    const sender = await imOverWebSocket(t, alice, 'retrier');
    const recipient = await imOverWebSocket(t, bob, 'phone');
    sender.send('m', { id: 'retry_1', c: 'once', to: bob.id });
    sender.send('m', { id: 'retry_1', c: 'once', to: bob.id });
    const first = await sender.next((frame) => frame.type === 'a' && frame.fields['id'] === 'retry_1');
    const second = await sender.next((frame) => frame.type === 'a' && frame.fields['id'] === 'retry_1');
    expect(second.fields['mid']).to.equal(first.fields['mid']);
    await recipient.next((frame) => frame.type === 'm' && frame.fields['id'] === 'retry_1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(recipient.frames.filter((frame) => frame.type === 'm' && frame.fields['id'] === 'retry_1')).to.have.length(0);
    sender.close();
    recipient.close();
  });

  it("sends sync copies to the sender's other devices, not to the sending one", async () => {
    const phone = await imOverWebSocket(t, alice, 'phone');
    const tablet = await imOverTls(t, alice, 'tablet');
    phone.send('m', { id: 'sync_1', c: 'copy me', to: bob.id });
    await phone.next((frame) => frame.type === 'a' && frame.fields['id'] === 'sync_1');
    const copy = await tablet.next((frame) => frame.type === 'm' && frame.fields['id'] === 'sync_1');
    expect(copy.fields).to.deep.include({ from: alice.id, to: bob.id, d: 'phone' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(phone.frames.some((frame) => frame.type === 'm' && frame.fields['id'] === 'sync_1')).to.equal(false);
    phone.close();
    tablet.close();
  });

  it('over WebSocket, delivers what arrived while offline at login, in order, and again what was not acknowledged', async () => {
    const carol = await imUser(t, 'carol', '8610000000003');
    const sender = await imOverWebSocket(t, alice, 'offline-sender');
    for (const id of ['o_1', 'o_2', 'o_3']) sender.send('m', { id, c: id, to: carol.id });
    for (const id of ['o_1', 'o_2', 'o_3']) await sender.next((frame) => frame.type === 'a' && frame.fields['id'] === id);
    const first = await imOverWebSocket(t, carol);
    const got = [await first.next((f) => f.type === 'm'), await first.next((f) => f.type === 'm'), await first.next((f) => f.type === 'm')];
    expect(got.map((frame) => frame.fields['id'])).to.deep.equal(['o_1', 'o_2', 'o_3']);
    first.ack(got[0]!);
    first.ack(got[2]!);
    await new Promise((resolve) => setTimeout(resolve, 100));
    first.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await imOverWebSocket(t, carol);
    const again = await second.next((f) => f.type === 'm');
    expect(again.fields['id']).to.equal('o_2');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(second.frames.filter((frame) => frame.type === 'm')).to.have.length(0);
    second.close();
    sender.close();
  });

  it('answers GET /offline with what no device was sent, and DELETE /offline clears it', async () => {
    const dave = await imUser(t, 'dave', '8610000000004');
    const sender = await imOverWebSocket(t, alice, 'offline-http');
    sender.send('m', { id: 'off_1', c: 'while away', to: dave.id });
    await sender.next((frame) => frame.type === 'a' && frame.fields['id'] === 'off_1');
    const offline = await getOffline(t, dave.token);
    expect(offline.filter((frame) => frame.type === 'm').map((frame) => frame.fields['c'])).to.deep.equal(['while away']);
    await deleteOffline(t, dave.token);
    expect(await getOffline(t, dave.token)).to.deep.equal([]);
    const client = await imOverTls(t, dave);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.frames.filter((frame) => frame.type === 'm')).to.have.length(0);
    client.close();
    sender.close();
  });

  it('answers a malformed frame with a reason and keeps the connection', async () => {
    const client = await imOverWebSocket(t, alice, 'clumsy');
    client.send('m', { id: 'bad', c: 'no recipient' });
    const refused = await client.next((frame) => frame.type === 'rr');
    expect(refused.fields).to.deep.include({ id: 'bad', s: 1, r: 'to Required' });
    client.send('zz', { id: 'what' });
    expect((await client.next((frame) => frame.type === 'rr')).fields).to.deep.include({ s: 1, r: 'Unknown request' });
    client.send('m', { id: 'good', c: 'still here', to: bob.id });
    expect((await client.next((frame) => frame.type === 'a')).fields['id']).to.equal('good');
    client.close();
  });

  it('refuses a group message from a non-member', async () => {
    const group = await t.client.json('POST', '/v1/groups', { name: 'club', members: [bob.id] }, bob.token);
    const groupId = (group.body as { id: number }).id;
    const outsider = await imOverWebSocket(t, alice, 'outsider');
    outsider.send('gm', { id: 'g_1', c: 'let me in', g_id: groupId });
    expect((await outsider.next((frame) => frame.type === 'rr')).fields).to.deep.include({ id: 'g_1', s: 1, r: 'Unauthorized' });
    outsider.close();
  });

  it('refuses in the words im answers over HTTP: an unknown recipient, oneself, an unknown group, a bad text, a long id', async () => {
    const client = await imOverTls(t, alice, 'refused');
    const refusals: [frame: 'm' | 'gm', fields: Record<string, string | number>, reason: string][] = [
      ['m', { id: 'r1', c: 'anyone?', to: 999_999 }, 'User Not Exist!'],
      ['m', { id: 'r2', c: 'me, myself', to: alice.id }, 'Invalid to'],
      ['gm', { id: 'r3', c: 'hello?', g_id: 999_999 }, 'Group Not Exist!'],
      ['m', { id: 'r4', c: 'x'.repeat(10_001), to: bob.id }, 'Invalid text'],
      ['m', { id: 'x'.repeat(129), c: 'long id', to: bob.id }, 'Invalid id'],
    ];
    for (const [type, fields, reason] of refusals) {
      client.send(type, fields);
      const answer = await client.next((frame) => frame.type === 'rr');
      expect(answer.fields, String(fields['id']).slice(0, 8)).to.deep.include({ id: fields['id'], s: 1, r: reason });
    }
    client.close();
  });
});
