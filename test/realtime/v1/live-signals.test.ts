import { expect } from 'chai';
import { errorCode, v1Group } from '../../support/rooms.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { v1User, type TestUser } from '../../support/users.js';
import { V1Socket } from '../../support/v1-socket.js';

const quiet = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
const typingIn = (room: number) => (f: Record<string, unknown>) => f['type'] === 'typing' && f['room_id'] === room;

describe('v1 live signals: typing', () => {
  let t: TestServer;
  let ann: TestUser;
  let ben: TestUser;
  let cid: TestUser;
  let dan: TestUser;
  let room: number;

  before(async () => {
    t = await startTestServer();
    [ann, ben, cid, dan] = [await v1User(t, 'ann'), await v1User(t, 'ben'), await v1User(t, 'cid'), await v1User(t, 'dan')];
    room = (await v1Group(t, ann, 'typists', [ben, cid])).id;
  });
  after(() => t.stop());

  it('shows a typing frame from the stream to the other members only, with an expiry a few seconds ahead, then typing_stopped', async () => {
    const open = (user: TestUser) => V1Socket.open(t, '/v1/stream?device=tab', user.token);
    const [annStream, benStream, cidStream, danStream] = [await open(ann), await open(ben), await open(cid), await open(dan)];
    await quiet(100);
    annStream.send({ type: 'typing', room_id: room });
    const atBen = await benStream.next(typingIn(room));
    expect(atBen).to.include({ type: 'typing', room_id: room, user_id: ann.id });
    const expiresIn = Date.parse(atBen['expires_at'] as string) - Date.now();
    expect(expiresIn).to.be.within(3000, 7000);
    expect(await cidStream.next(typingIn(room))).to.deep.equal(atBen);
    annStream.send({ type: 'typing_stopped', room_id: room });
    expect(await benStream.next((f) => f['type'] === 'typing_stopped')).to.deep.equal({
      type: 'typing_stopped',
      room_id: room,
      user_id: ann.id,
    });
    await quiet();
    expect(annStream.frames.filter((f) => String(f['type']).startsWith('typing'))).to.deep.equal([]);
    expect(danStream.frames).to.deep.equal([]);
    for (const socket of [annStream, benStream, cidStream, danStream]) socket.close();
  });

  it('sends one typing signal per room per 2 s from a connection, and refuses a room one is not in', async () => {
    const annStream = await V1Socket.open(t, '/v1/stream?device=limited', ann.token);
    const benStream = await V1Socket.open(t, '/v1/stream?device=limited', ben.token);
    await quiet(100);
    for (let i = 0; i < 5; i++) annStream.send({ type: 'typing', room_id: room });
    await benStream.next(typingIn(room));
    await quiet(500);
    expect(benStream.frames.filter(typingIn(room))).to.deep.equal([]);
    const danStream = await V1Socket.open(t, '/v1/stream?device=limited', dan.token);
    danStream.send({ type: 'typing', room_id: room });
    expect(await danStream.next((f) => f['type'] === 'error')).to.deep.equal({ type: 'error', error: { code: 'not_a_member' } });
    for (const socket of [annStream, benStream, danStream]) socket.close();
  });

  it('takes typing over HTTP too, rate-limited per session, with v1 refusals', async () => {
    const benStream = await V1Socket.open(t, '/v1/stream?device=http', ben.token);
    await quiet(100);
    const first = await t.client.json('POST', `/v1/rooms/${room}/typing`, {}, cid.token);
    expect(first.body).to.deep.equal({ sent: true });
    expect(await benStream.next(typingIn(room))).to.include({ user_id: cid.id });
    expect((await t.client.json('POST', `/v1/rooms/${room}/typing`, {}, cid.token)).body).to.deep.equal({ sent: false });
    expect((await t.client.json('POST', `/v1/rooms/${room}/typing`, { typing: false }, cid.token)).body).to.deep.equal({ sent: true });
    const stranger = await t.client.json('POST', `/v1/rooms/${room}/typing`, {}, dan.token);
    expect([stranger.status, errorCode(stranger)]).to.deep.equal([422, 'not_a_member']);
    const missing = await t.client.json('POST', '/v1/rooms/999999/typing', {}, dan.token);
    expect([missing.status, errorCode(missing)]).to.deep.equal([422, 'room_not_found']);
    benStream.close();
  });
});
