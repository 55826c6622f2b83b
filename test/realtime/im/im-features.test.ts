import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TomlFrame } from '../../../src/codecs/im/toml-frame.js';
import { ImClient } from '../../support/im-client.js';
import { v1Group, v1Send, type V1Message } from '../../support/rooms.js';
import { startTestServer, testCertificates, type TestServer } from '../../support/test-server.js';
import { imUser, v1User, type TestUser } from '../../support/users.js';
import { V1Socket } from '../../support/v1-socket.js';

const ca = () => readFileSync(join(testCertificates, 'ca.crt'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SIGNALS = new Set(['read', 'receipt', 'typing', 'typing_stopped', 'presence']);
const signal = (t: string) => (frame: TomlFrame) => frame.type === 'n' && frame.fields['t'] === t;
const signals = (client: ImClient) => client.frames.filter((frame) => frame.type === 'n' && SIGNALS.has(String(frame.fields['t'])));

async function imClient(t: TestServer, user: TestUser, device: string, features?: string): Promise<ImClient> {
  const client =
    device === 'tls'
      ? await ImClient.tls(t.server.imPort, ca())
      : await ImClient.websocket(`wss://localhost:${t.server.port}/im${features === undefined ? '' : `?features=${features}`}`, ca());
  expect((await client.login(user, device)).fields['s']).to.equal(0);
  return client;
}

describe('WS /im ?features=: read state, typing and presence for the clients that ask, nothing for the others', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('sends each feature’s frames only to a client that asked for it; the IM port and plain /im get none', async () => {
    const ann = await v1User(t, 'f-ann');
    const kim = await imUser(t, 'kim', '8613900000071');
    const room = await v1Group(t, ann, 'features', [kim]);
    const tls = await imClient(t, kim, 'tls');
    const plain = await imClient(t, kim, 'plain');
    const opted = await imClient(t, kim, 'opted', 'reads,typing,presence');
    const typingOnly = await imClient(t, kim, 'typist', 'typing');
    await sleep(100);

    const annStream = await V1Socket.open(t, '/v1/stream', ann.token);
    expect((await opted.next(signal('presence'))).fields).to.deep.equal({ t: 'presence', from: ann.id, presence: 'online' });

    annStream.send({ type: 'typing', room_id: room.id });
    for (const client of [opted, typingOnly]) {
      const typing = await client.next(signal('typing'));
      expect(typing.fields).to.include({ g_id: room.id, from: ann.id });
      expect(Number(typing.fields['expires']) * 1000 - Date.now()).to.be.within(2000, 8000);
    }

    const message = (await v1Send(t, ann, room.id, 'read me')).body as V1Message;
    expect((await t.client.json('POST', `/v1/rooms/${room.id}/read`, { message_id: message.id }, ann.token)).status).to.equal(200);
    expect((await opted.next(signal('receipt'))).fields).to.deep.equal({ t: 'receipt', from: ann.id, g_id: room.id, mid: message.id });
    expect((await t.client.json('POST', `/v1/rooms/${room.id}/read`, { message_id: message.id }, kim.token)).status).to.equal(200);
    expect((await opted.next(signal('read'))).fields).to.deep.equal({ t: 'read', from: kim.id, g_id: room.id, mid: message.id, unread: 0 });

    annStream.close();
    const offline = await opted.next(signal('presence'));
    expect(offline.fields).to.include({ from: ann.id, presence: 'offline' });
    expect(Number(offline.fields['last_seen'])).to.be.within(Date.now() / 1000 - 10, Date.now() / 1000 + 1);

    // Frames arrive in order: once this message and a moment are in, a signal would have been too.
    const after = (await v1Send(t, ann, room.id, 'after the signals')).body as V1Message;
    for (const client of [tls, plain, opted, typingOnly])
      await client.next((frame) => frame.type === 'gm' && frame.fields['mid'] === after.id);
    await sleep(300);
    expect(signals(tls), 'the IM port').to.deep.equal([]);
    expect(signals(plain), 'WS /im without features').to.deep.equal([]);
    expect(signals(typingOnly), 'only typing asked').to.deep.equal([]);
    for (const client of [tls, plain, opted, typingOnly]) client.close();
  });
});

describe('an /im client that opted into presence says away', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('takes [[r]] t = "presence" from a client that opted in, and answers it as unknown to one that did not', async () => {
    const [ann, bob] = [await v1User(t, 'aw-ann'), await imUser(t, 'aw-bob', '8613900000073')];
    await v1Group(t, ann, 'away', [bob]);
    const watcher = await V1Socket.open(t, '/v1/stream', ann.token);
    const plain = await imClient(t, bob, 'plain');
    const opted = await imClient(t, bob, 'opted', 'presence');
    const isBob = (frame: Record<string, unknown>) => frame['type'] === 'presence' && frame['user_id'] === bob.id;
    expect(await watcher.next(isBob)).to.include({ presence: 'online' });
    plain.send('r', { id: 'p_0', t: 'presence', presence: 'away' });
    expect((await plain.next((frame) => frame.type === 'rr')).fields).to.deep.equal({ id: 'p_0', s: 1, r: 'Unknown request' });
    opted.send('r', { id: 'p_1', t: 'presence', presence: 'away' });
    expect((await opted.next((frame) => frame.type === 'rr')).fields).to.deep.equal({ id: 'p_1', s: 0 });
    await sleep(200);
    expect(watcher.frames.filter(isBob), 'the plain connection is not away: bob is still online').to.deep.equal([]);
    plain.close();
    expect(await watcher.next(isBob)).to.include({ presence: 'away' });
    opted.send('r', { id: 'p_2', t: 'presence', presence: 'asleep' });
    expect((await opted.next((frame) => frame.type === 'rr')).fields).to.deep.equal({
      id: 'p_2',
      s: 1,
      r: 'presence must be away or online',
    });
    opted.send('r', { id: 'p_3', t: 'presence', presence: 'online' });
    expect(await watcher.next(isBob)).to.include({ presence: 'online' });
    opted.close();
    expect(await watcher.next(isBob)).to.include({ presence: 'offline' });
    watcher.close();
  });
});

describe('presence with last seen turned off (ESCHAT_PRESENCE_LAST_SEEN=off)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ ESCHAT_PRESENCE_LAST_SEEN: 'off' });
  });
  after(() => t.stop());

  it('says offline with last_seen null, on the stream, over HTTP and to an opted-in /im client', async () => {
    const [ann, bob] = [await v1User(t, 'ls-ann'), await v1User(t, 'ls-bob')];
    const lee = await imUser(t, 'lee', '8613900000072');
    await v1Group(t, ann, 'no last seen', [bob, lee]);
    const watcher = await V1Socket.open(t, '/v1/stream', bob.token);
    const opted = await imClient(t, lee, 'opted', 'presence');
    await sleep(100);
    const annStream = await V1Socket.open(t, '/v1/stream', ann.token);
    const isAnn = (frame: Record<string, unknown>) => frame['type'] === 'presence' && frame['user_id'] === ann.id;
    expect(await watcher.next(isAnn)).to.include({ presence: 'online' });
    annStream.close();
    expect(await watcher.next(isAnn)).to.deep.equal({ type: 'presence', user_id: ann.id, presence: 'offline', last_seen: null });
    expect((await t.client.json('GET', `/v1/users/${ann.id}/presence`, undefined, bob.token)).body).to.deep.equal({
      presence: 'offline',
      last_seen: null,
    });
    const offline = await opted.next((frame) => signal('presence')(frame) && frame.fields['presence'] === 'offline');
    expect(offline.fields).to.deep.equal({ t: 'presence', from: ann.id, presence: 'offline' });
    watcher.close();
    opted.close();
  });
});
