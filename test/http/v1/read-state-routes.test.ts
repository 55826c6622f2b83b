import { expect } from 'chai';
import { errorCode, v1Group, v1Send, type V1Message } from '../../support/rooms.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { v1User, type TestUser } from '../../support/users.js';
import { V1Socket } from '../../support/v1-socket.js';

const quiet = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

interface RoomWithReadState {
  id: number;
  read_up_to: number | null;
  unread: number;
}

describe('v1 read state: markers, unread counts, receipts', () => {
  let t: TestServer;
  let ann: TestUser;
  /** Ann's second device: a second session of the same user. */
  let annPhone: TestUser;
  let ben: TestUser;
  let cid: TestUser;
  let dan: TestUser;
  let room: number;
  let other: number;
  const sent: number[] = [];

  before(async () => {
    t = await startTestServer();
    [ann, ben, cid, dan] = [await v1User(t, 'ann'), await v1User(t, 'ben'), await v1User(t, 'cid'), await v1User(t, 'dan')];
    const login = await t.client.json('POST', '/v1/login', { login: 'ann', password: 'pw', device: 'phone' });
    annPhone = { id: ann.id, token: (login.body as { session_id: string }).session_id };
    room = (await v1Group(t, ann, 'readers', [ben, cid])).id;
    other = (await v1Group(t, dan, 'elsewhere', [ann])).id;
    for (const [sender, text] of [
      [ben, 'one'],
      [cid, 'two'],
      [ann, 'mine'],
      [ben, 'three'],
    ] as const) {
      sent.push(((await v1Send(t, sender, room, text)).body as V1Message).id);
    }
  });
  after(() => t.stop());

  const roomsOf = async (user: TestUser): Promise<RoomWithReadState> => {
    const answer = await t.client.json('GET', '/v1/rooms', undefined, user.token);
    return (answer.body as RoomWithReadState[]).find((entry) => entry.id === room)!;
  };
  const mark = (user: TestUser, messageId: number, roomId = room) =>
    t.client.json('POST', `/v1/rooms/${roomId}/read`, { message_id: messageId }, user.token);

  it('counts the unread messages of others before any mark, the member’s own not among them', async () => {
    expect(await roomsOf(ann)).to.include({ read_up_to: null, unread: 3 });
    expect(await roomsOf(ben)).to.include({ read_up_to: null, unread: 2 });
  });

  it('a mark on one device shows at once on the other: in GET /v1/rooms and as a read frame on its stream', async () => {
    const phoneStream = await V1Socket.open(t, '/v1/stream?device=phone', annPhone.token);
    await quiet(100);
    const answer = await mark(ann, sent[1]!);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    expect(answer.body).to.deep.equal({ room_id: room, read_up_to: sent[1], unread: 1 });
    const frame = await phoneStream.next((f) => f['type'] === 'read');
    expect(frame).to.deep.equal({ type: 'read', room_id: room, read_up_to: sent[1], unread: 1 });
    expect(await roomsOf(annPhone)).to.include({ read_up_to: sent[1], unread: 1 });
    const single = await t.client.json('GET', `/v1/rooms/${room}`, undefined, annPhone.token);
    expect(single.body).to.include({ read_up_to: sent[1], unread: 1 });
    phoneStream.close();
  });

  it('never moves a marker back: a mark behind it answers where it stands and records nothing', async () => {
    const phoneStream = await V1Socket.open(t, '/v1/stream?device=phone', annPhone.token);
    await quiet(100);
    expect((await mark(annPhone, sent[0]!)).body).to.deep.equal({ room_id: room, read_up_to: sent[1], unread: 1 });
    await quiet();
    expect(phoneStream.frames.filter((f) => f['type'] === 'read')).to.deep.equal([]);
    expect(await roomsOf(ann)).to.include({ read_up_to: sent[1], unread: 1 });
    expect((await mark(annPhone, sent[3]!)).body).to.deep.equal({ room_id: room, read_up_to: sent[3], unread: 0 });
    phoneStream.close();
  });

  it('sends a receipt to the other members, and none once the reader turned receipts off', async () => {
    const annStream = await V1Socket.open(t, '/v1/stream?device=laptop', ann.token);
    const benStream = await V1Socket.open(t, '/v1/stream?device=laptop', ben.token);
    const danStream = await V1Socket.open(t, '/v1/stream?device=laptop', dan.token);
    await quiet(100);
    expect((await mark(ben, sent[2]!)).status).to.equal(200);
    expect(await annStream.next((f) => f['type'] === 'receipt')).to.deep.equal({
      type: 'receipt',
      room_id: room,
      user_id: ben.id,
      read_up_to: sent[2],
    });
    // The reader's own devices get the read frame, not a receipt; a stranger gets nothing.
    // After ann's message only ben's own follows: nothing unread.
    expect(await benStream.next((f) => f['type'] === 'read')).to.include({ read_up_to: sent[2], unread: 0 });

    const off = await t.client.json('PUT', '/v1/me/settings', { read_receipts: false }, cid.token);
    expect(off.body).to.deep.equal({ read_receipts: false });
    expect((await t.client.json('GET', '/v1/me/settings', undefined, cid.token)).body).to.deep.equal({ read_receipts: false });
    expect((await mark(cid, sent[3]!)).status).to.equal(200);
    // Ben's next mark comes after cid's: once ann has it, cid's receipt would have come before.
    expect((await mark(ben, sent[3]!)).status).to.equal(200);
    await annStream.next((f) => f['type'] === 'receipt' && f['user_id'] === ben.id && f['read_up_to'] === sent[3]);
    await quiet();
    expect(annStream.frames.filter((f) => f['type'] === 'receipt')).to.deep.equal([]);
    expect(danStream.frames.filter((f) => f['type'] === 'receipt' || f['type'] === 'read')).to.deep.equal([]);

    const receipts = await t.client.json('GET', `/v1/rooms/${room}/receipts`, undefined, ann.token);
    expect(receipts.body).to.deep.equal([
      { user_id: ann.id, read_up_to: sent[3] },
      { user_id: ben.id, read_up_to: sent[3] },
    ]);
    for (const socket of [annStream, benStream, danStream]) socket.close();
  });

  it('refuses a room one is not in, a room that is not there, and a message of another room', async () => {
    const stranger = await mark(dan, sent[0]!);
    expect([stranger.status, errorCode(stranger)]).to.deep.equal([422, 'not_a_member']);
    const missing = await mark(ann, sent[0]!, 999_999);
    expect([missing.status, errorCode(missing)]).to.deep.equal([422, 'room_not_found']);
    const elsewhere = ((await v1Send(t, dan, other, 'not in that room')).body as V1Message).id;
    const wrongRoom = await mark(ann, elsewhere);
    expect([wrongRoom.status, errorCode(wrongRoom)]).to.deep.equal([422, 'message_not_found']);
    const receipts = await t.client.json('GET', `/v1/rooms/${room}/receipts`, undefined, dan.token);
    expect([receipts.status, errorCode(receipts)]).to.deep.equal([422, 'room_not_found']);
    const malformed = await t.client.json('POST', `/v1/rooms/${room}/read`, { message_id: 'x' }, ann.token);
    expect(errorCode(malformed)).to.equal('invalid_json');
  });
});
