import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImClient } from './support/im-client.js';
import { spawnTwo, stopAll, type ServerProcess } from './support/spawn-server.js';
import { testCertificates } from './support/test-server.js';
import { responseOf } from './support/toml.js';
import { imUser, v1User, type TestUser } from './support/users.js';
import { v1Group, v1Send, type V1Message } from './support/rooms.js';
import { V1Socket } from './support/v1-socket.js';

const ca = (): Buffer => readFileSync(join(testCertificates, 'ca.crt'));

/** Each process projects the shared log on its own: wait until `server` has caught up with `user`'s session. */
async function untilSignedIn(server: ServerProcess, user: TestUser): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 20) {
    if ((await server.client.json('GET', '/v1/info', undefined, user.token)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect.fail(`process on port ${server.port} never saw the session of user ${user.id}`);
}

async function imOver(transport: 'tls' | 'websocket', server: ServerProcess, user: TestUser): Promise<ImClient> {
  await untilSignedIn(server, user);
  const client =
    transport === 'tls' ? await ImClient.tls(server.imPort, ca()) : await ImClient.websocket(`wss://localhost:${server.port}/im`, ca());
  const answer = await client.login(user);
  expect(answer.fields['s'], JSON.stringify(answer)).to.equal(0);
  return client;
}

describe('several server processes on one SQLite log', function () {
  this.timeout(60_000);
  let dataDir: string;
  let one: ServerProcess;
  let two: ServerProcess;

  before(async () => {
    // The same data directory: one event log and one delivery state file, each process with its own read models.
    ({ dataDir, one, two } = await spawnTwo('eschat-multi-'));
  });

  after(() => stopAll(dataDir, one, two));

  it('delivers a message sent on process one to its recipient connected to process two', async () => {
    const alice = await imUser(one, 'alice', '8612000000001');
    const bob = await imUser(one, 'bob', '8612000000002');
    const recipient = await imOver('tls', two, bob);
    const sender = await imOver('websocket', one, alice);
    sender.send('m', { id: 'mp_1', c: 'across processes', to: bob.id, t: 'text' });
    const ack = await sender.next((frame) => frame.type === 'a' && frame.fields['id'] === 'mp_1');
    const received = await recipient.next((frame) => frame.type === 'm' && frame.fields['id'] === 'mp_1');
    expect(received.fields).to.deep.include({ c: 'across processes', from: alice.id, to: bob.id, mid: ack.fields['mid'] });
    sender.close();
    recipient.close();
  });

  it('notifies a contact request made over HTTP on process one to the IM connection on process two', async () => {
    const carol = await imUser(one, 'carol', '8612000000003');
    const dave = await imUser(one, 'dave', '8612000000004');
    const connection = await imOver('tls', two, dave);
    const asked = responseOf((await one.client.form('POST', `/contact/${dave.id}`, { ask: 'hello from one' }, carol.token)).text);
    expect(asked['status'], JSON.stringify(asked)).to.equal(0);
    const notification = await connection.next((frame) => frame.type === 'n' && frame.fields['t'] === 'add_contact');
    expect(notification.fields).to.deep.include({ from: carol.id, to: dave.id, ask: 'hello from one' });
    connection.close();
  });

  it('resumes a device that comes back to a process from where it acknowledged on the other, not from what the first one remembers', async () => {
    const erin = await imUser(one, 'erin', '8612000000005');
    const frank = await imUser(one, 'frank', '8612000000006');
    const sender = await imOver('websocket', one, frank);
    const sendAndAck = async (server: ServerProcess, id: string): Promise<ImClient> => {
      const client = await imOver('tls', server, erin);
      sender.send('m', { id, c: id, to: erin.id, t: 'text' });
      const received = await client.next((frame) => frame.type === 'm' && frame.fields['id'] === id);
      client.ack(received);
      // The acknowledgement is stored within a tick of reaching the process: a message in order behind it is the barrier.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return client;
    };
    (await sendAndAck(one, 'back_1')).close();
    (await sendAndAck(two, 'back_2')).close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Back on process one, which served this device before: back_2 was acknowledged on two.
    const client = await sendAndAck(one, 'back_3');
    const again = client.frames.filter((frame) => frame.type === 'm').map((frame) => frame.fields['id']);
    expect(again, 'sent again after being acknowledged on the other process').to.deep.equal([]);
    client.close();
    sender.close();
  });

  it('gives distinct user ids to registrations on both processes at once', async () => {
    const register = (server: ServerProcess, i: number) =>
      server.client.json('POST', '/v1/register', { login: `both${i}`, password: 'pw' });
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => register(i % 2 === 0 ? one : two, i)));
    const tokens = answers.map((answer) => {
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      return (answer.body as { session_id: string }).session_id;
    });
    // Read the ids back on process two: it must know every user, whichever process registered it.
    const users = tokens.map((token, i) => ({ id: 0, token, login: `both${i}` }));
    for (const user of users) {
      await untilSignedIn(two, user);
      const info = (await two.client.json('GET', '/v1/info', undefined, user.token)).body as { id: number; login: string };
      expect(info.login).to.equal(user.login);
      user.id = info.id;
    }
    expect(new Set(users.map((user) => user.id)).size).to.equal(users.length);
  });

  it('syncs a read marker to the reader’s device on the other process, and shows typing there', async () => {
    const register = async (server: ServerProcess, login: string): Promise<TestUser> => {
      const answer = await server.client.json('POST', '/v1/register', { login, password: 'pw' });
      const token = (answer.body as { session_id: string }).session_id;
      return { id: ((await server.client.json('GET', '/v1/info', undefined, token)).body as { id: number }).id, token };
    };
    const gil = await register(one, 'gil');
    const hal = await register(one, 'hal');
    const group = (await one.client.json('POST', '/v1/groups', { name: 'across', members: [hal.id] }, gil.token)).body as { id: number };
    const sent = (await one.client.json('POST', `/v1/rooms/${group.id}/messages`, { text: 'read me' }, hal.token)).body as { id: number };
    // Gil's second device, signed in on process two, with its stream there.
    await untilSignedIn(two, gil);
    const login = await two.client.json('POST', '/v1/login', { login: 'gil', password: 'pw', device: 'tablet' });
    const tablet = { id: gil.id, token: (login.body as { session_id: string }).session_id };
    const stream = await streamOn(two, tablet);
    const marked = await one.client.json('POST', `/v1/rooms/${group.id}/read`, { message_id: sent.id }, gil.token);
    expect(marked.body).to.deep.include({ read_up_to: sent.id, unread: 0 });
    expect(await stream.next((frame) => frame['type'] === 'read')).to.deep.equal({
      type: 'read',
      room_id: group.id,
      read_up_to: sent.id,
      unread: 0,
    });
    const rooms = (await two.client.json('GET', '/v1/rooms', undefined, tablet.token)).body as Array<{ id: number; unread: number }>;
    expect(rooms.find((room) => room.id === group.id)).to.include({ read_up_to: sent.id, unread: 0 });
    const typist = await streamOn(one, hal);
    typist.send({ type: 'typing', room_id: group.id });
    expect(await stream.next((frame) => frame['type'] === 'typing')).to.include({ room_id: group.id, user_id: hal.id });
    stream.close();
    typist.close();
  });

  it('carries an edit and a delete made on process one to the stream and the search of process two', async () => {
    const [ann, bob] = [await v1User(one, 'mp-ann'), await v1User(one, 'mp-bob')];
    await untilSignedIn(two, bob);
    const room = await v1Group(one, ann, 'across', [bob]);
    const stream = await V1Socket.open({ server: two }, '/v1/stream', bob.token);
    const kept = (await v1Send(one, ann, room.id, 'a kept lighthouse')).body as V1Message;
    const gone = (await v1Send(one, ann, room.id, 'a secret lighthouse')).body as V1Message;
    expect(
      (await one.client.json('PATCH', `/v1/rooms/${room.id}/messages/${kept.id}`, { text: 'a kept harbour' }, ann.token)).status,
    ).to.equal(200);
    expect((await one.client.json('DELETE', `/v1/rooms/${room.id}/messages/${gone.id}`, undefined, ann.token)).status).to.equal(200);
    const edited = await stream.next((frame) => frame['type'] === 'message_edited');
    expect(edited['message']).to.include({ id: kept.id, text: 'a kept harbour' });
    const deleted = await stream.next((frame) => frame['type'] === 'message_deleted');
    expect(deleted['message']).to.deep.equal({ id: gone.id, room_id: room.id, deleted: true });
    stream.close();
    // The deletion reached process two's feed before its frame: its search has it too.
    const found = async (q: string) =>
      ((await two.client.json('GET', `/v1/search?q=${q}`, undefined, bob.token)).body as V1Message[]).map((hit) => hit.text);
    expect(await found('lighthouse')).to.deep.equal([]);
    expect(await found('harbour')).to.deep.equal(['a kept harbour']);
  });
});

async function streamOn(server: ServerProcess, user: TestUser): Promise<V1Socket> {
  await untilSignedIn(server, user);
  const socket = await V1Socket.open({ server: { port: server.port } }, '/v1/stream', user.token);
  // The connection is registered once the upgrade's catch-up has begun.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return socket;
}
