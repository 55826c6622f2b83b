import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { v1User, type TestUser } from '../../support/users.js';
import { V1Socket } from '../../support/v1-socket.js';

const quiet = (ms = 200) => new Promise((resolve) => setTimeout(resolve, ms));

describe('v1 WebSockets', () => {
  let t: TestServer;
  let ann: TestUser;
  let ben: TestUser;
  let cid: TestUser;
  let room: number;
  let other: number;
  before(async () => {
    t = await startTestServer();
    [ann, ben, cid] = [await v1User(t, 'ann'), await v1User(t, 'ben'), await v1User(t, 'cid')];
    room = ((await t.client.json('POST', '/v1/rooms', { users: [{ id: ben.id, login: 'ben' }] }, ann.token)).body as { id: number }).id;
    other = ((await t.client.json('POST', '/v1/rooms', { users: [{ id: cid.id, login: 'cid' }] }, ann.token)).body as { id: number }).id;
  });
  after(() => t.stop());

  describe('room chat', () => {
    it('refuses the upgrade: 401 without a session, 403 for a non-member, 404 for no such room', async () => {
      for (const [path, token, status] of [
        [`/v1/rooms/${room}/chat`, 'nope', 401],
        [`/v1/rooms/${room}/chat`, cid.token, 403],
        ['/v1/rooms/999999/chat', ann.token, 404],
      ] as const) {
        const error = await V1Socket.open(t, path, token).then(
          () => null,
          (e: Error) => e,
        );
        expect(error?.message, path).to.equal(`refused ${status}`);
      }
    });

    it('sends to every other socket of every member, no echo, and nothing to other rooms', async () => {
      const annTab1 = await V1Socket.open(t, `/v1/rooms/${room}/chat`, ann.token);
      const annTab2 = await V1Socket.open(t, `/v1/rooms/${room}/chat`, ann.token);
      const benTab = await V1Socket.open(t, `/v1/rooms/${room}/chat`, ben.token);
      const elsewhere = await V1Socket.open(t, `/v1/rooms/${other}/chat`, cid.token);
      annTab1.send({ text: 'Привет "друг"', user_id: 99, room_id: 99, created_at: 'ignored' });
      const atBen = await benTab.next(() => true);
      expect(atBen).to.include({ text: 'Привет "друг"', user_id: ann.id, room_id: room });
      expect(atBen['id']).to.be.a('number');
      expect(atBen['created_at']).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(await annTab2.next(() => true)).to.deep.equal(atBen);
      await quiet();
      expect(annTab1.frames).to.deep.equal([]);
      expect(elsewhere.frames).to.deep.equal([]);
      const history = (await t.client.json('GET', `/v1/rooms/${room}/messages`, undefined, ben.token)).body as Array<{ id: number }>;
      expect(history.at(-1)?.id).to.equal(atBen['id']);
      for (const socket of [annTab1, annTab2, benTab, elsewhere]) socket.close();
    });

    it('answers a frame it cannot use with an error frame and stays open', async () => {
      const socket = await V1Socket.open(t, `/v1/rooms/${room}/chat`, ann.token);
      socket.send('not an object');
      expect(await socket.next(() => true)).to.deep.equal({ error: { code: 'invalid_json' } });
      socket.ws.send('{broken');
      expect(await socket.next(() => true)).to.deep.equal({ error: { code: 'invalid_json' } });
      expect(socket.closed).to.equal(false);
      socket.close();
    });
  });

  describe('stream', () => {
    it('carries messages and notifications with cursors, and resumes exactly after a cursor', async () => {
      const stream = await V1Socket.open(t, '/v1/stream?device=browser', ben.token);
      await t.client.json('POST', `/v1/rooms/${room}/messages`, { text: 'one', client_id: 's1' }, ann.token);
      await t.client.json('POST', `/v1/rooms/${room}/messages`, { text: 'two', client_id: 's2' }, ann.token);
      const one = await stream.next((frame) => frame['type'] === 'message' && (frame['message'] as { text: string }).text === 'one');
      const two = await stream.next((frame) => frame['type'] === 'message' && (frame['message'] as { text: string }).text === 'two');
      expect(two['cursor']).to.be.greaterThan(one['cursor'] as number);
      stream.send({ ack: one['cursor'] });
      stream.close();
      await t.client.json('POST', `/v1/rooms/${room}/messages`, { text: 'three', client_id: 's3' }, ann.token);
      const resumed = await V1Socket.open(t, `/v1/stream?device=browser&cursor=${one['cursor'] as number}`, ben.token);
      const texts = [await resumed.next((f) => f['type'] === 'message'), await resumed.next((f) => f['type'] === 'message')].map(
        (frame) => (frame['message'] as { text: string }).text,
      );
      expect(texts).to.deep.equal(['two', 'three']);
      resumed.close();
    });

    it('tells a contact request to both parties as a notification', async () => {
      const benStream = await V1Socket.open(t, '/v1/stream?device=notes', ben.token);
      await t.client.json('POST', `/v1/contacts/${ben.id}`, { ask: 'hi ben' }, cid.token);
      const frame = await benStream.next((f) => f['type'] === 'notification' && f['event'] === 'ContactRequested');
      expect(frame['data']).to.deep.include({ from: cid.id, to: ben.id, ask: 'hi ben' });
      expect(frame['cursor']).to.be.a('number');
      benStream.close();
    });
  });

  it('closes the sockets of a session that logs out', async () => {
    const dan = await v1User(t, 'dan');
    const stream = await V1Socket.open(t, '/v1/stream', dan.token);
    await t.client.json('POST', '/v1/logout', {}, dan.token);
    await stream.whenClosed();
    expect(stream.closed).to.equal(true);
  });

  it('cuts a removed member off the room at once', async () => {
    const group = (await t.client.json('POST', '/v1/groups', { name: 'g', members: [ben.id] }, ann.token)).body as { id: number };
    const benChat = await V1Socket.open(t, `/v1/rooms/${group.id}/chat`, ben.token);
    const removed = await t.client.json('DELETE', `/v1/rooms/${group.id}/members/${ben.id}`, undefined, ann.token);
    expect(removed.status).to.equal(200);
    await benChat.whenClosed();
    await t.client.json('POST', `/v1/rooms/${group.id}/messages`, { text: 'secret', client_id: 'x' }, ann.token);
    await quiet();
    expect(benChat.frames.filter((frame) => frame['text'] === 'secret')).to.deep.equal([]);
  });
});
