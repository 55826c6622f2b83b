import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TomlFrame } from '../../../src/codecs/im/toml-frame.js';
import { ImClient } from '../../support/im-client.js';
import { errorCode, v1Group, v1History, v1Send, type V1Message } from '../../support/rooms.js';
import { startTestServer, testCertificates, type TestServer } from '../../support/test-server.js';
import { imUser, v1User, type TestUser } from '../../support/users.js';
import { V1Socket } from '../../support/v1-socket.js';

/** `PATCH` and `DELETE /v1/rooms/:id/messages/:mid`: what each member sees after, on every transport. */
describe('v1 message edits and deletes', () => {
  let t: TestServer;
  let ann: TestUser;
  let bob: TestUser;
  let eve: TestUser;
  let ca: Buffer;
  before(async () => {
    t = await startTestServer({ ESCHAT_ADMINS: 'ann' });
    [ann, bob, eve] = [await v1User(t, 'ann'), await v1User(t, 'bob'), await v1User(t, 'eve')];
    ca = readFileSync(join(testCertificates, 'ca.crt'));
  });
  after(() => t.stop());

  const edit = (user: TestUser, room: number, id: number, text: unknown) =>
    t.client.json('PATCH', `/v1/rooms/${room}/messages/${id}`, { text }, user.token);
  const remove = (user: TestUser, room: number, id: number) =>
    t.client.json('DELETE', `/v1/rooms/${room}/messages/${id}`, undefined, user.token);
  const sent = async (user: TestUser, room: number, text: string): Promise<V1Message> => {
    const answer = await v1Send(t, user, room, text);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    return answer.body as V1Message;
  };

  it('shows an edit in history and on every member’s stream, and the audit shows every version', async () => {
    const room = await v1Group(t, ann, 'edits', [bob]);
    const stream = await V1Socket.open(t, '/v1/stream', bob.token);
    const message = await sent(ann, room.id, 'frist draft');
    await stream.next((frame) => frame['type'] === 'message' && (frame['message'] as V1Message).id === message.id);
    const answer = await edit(ann, room.id, message.id, 'first draft');
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    const edited = answer.body as V1Message & { edited_at: string };
    expect(edited).to.include({ id: message.id, text: 'first draft', user_id: ann.id, room_id: room.id, created_at: message.created_at });
    expect(edited.edited_at).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(await v1History(t, bob, room.id)).to.deep.equal([edited]);
    const frame = await stream.next((f) => f['type'] === 'message_edited' && (f['message'] as V1Message).id === message.id);
    expect(frame['message']).to.deep.equal({
      id: message.id,
      room_id: room.id,
      user_id: ann.id,
      text: 'first draft',
      edited_at: edited.edited_at,
    });
    expect(frame['cursor']).to.be.a('number').greaterThan(message.id);
    stream.close();

    expect((await edit(ann, room.id, message.id, 'final')).status).to.equal(200);
    const audit = await t.client.json('GET', `/v1/admin/audit/message/${message.id}?with_content=true`, undefined, ann.token);
    const body = audit.body as { message: { data: { text: string } }; changes: Array<{ type: string; data: { text: string } }> };
    expect([body.message.data.text, ...body.changes.map((change) => change.data.text)]).to.deep.equal([
      'frist draft',
      'first draft',
      'final',
    ]);
    const roomAudit = await t.client.json('GET', `/v1/admin/audit/room/${room.id}?with_content=true`, undefined, ann.token);
    const changes = (roomAudit.body as { changes: Array<{ type: string; data: { text: string } }> }).changes;
    expect(changes.map((change) => `${change.type} ${change.data.text}`)).to.deep.equal([
      'MessageEdited first draft',
      'MessageEdited final',
    ]);
    const userAudit = await t.client.json('GET', `/v1/admin/audit/user/${ann.id}`, undefined, ann.token);
    const types = (userAudit.body as { entries: Array<{ type: string }> }).entries.map((entry) => entry.type);
    expect(types.filter((type) => type === 'MessageEdited')).to.have.length(2);
    const hidden = await t.client.json('GET', `/v1/admin/audit/message/${message.id}`, undefined, ann.token);
    expect(JSON.stringify(hidden.body)).not.to.include('first draft');
  });

  it('replays edits and deletes to a device that was away, with the text as it is now', async () => {
    const room = await v1Group(t, ann, 'replays', [bob]);
    const kept = await sent(ann, room.id, 'kept');
    const gone = await sent(ann, room.id, 'gone soon');
    expect((await edit(ann, room.id, kept.id, 'kept, edited')).status).to.equal(200);
    expect((await edit(ann, room.id, gone.id, 'gone, edited')).status).to.equal(200);
    expect((await remove(ann, room.id, gone.id)).status).to.equal(200);
    const stream = await V1Socket.open(t, `/v1/stream?cursor=${kept.id - 1}&device=away`, bob.token);
    const deleted = await stream.next((f) => f['type'] === 'message_deleted');
    expect(deleted['message']).to.deep.equal({ id: gone.id, room_id: room.id, deleted: true });
    const replayed = await stream.next((f) => f['type'] === 'message_edited');
    expect(replayed['message']).to.include({ id: kept.id, text: 'kept, edited' });
    stream.close();
    const everything = JSON.stringify([...stream.frames, deleted, replayed]);
    expect(everything, 'the deleted text, or its edit, in a replay').not.to.match(/gone/);
  });

  it('deletes for everyone: history, the stream, later replays and answers', async () => {
    const room = await v1Group(t, ann, 'deletes', [bob]);
    const stream = await V1Socket.open(t, '/v1/stream', ann.token);
    const secret = await sent(bob, room.id, 'a secret to take back');
    const other = await sent(bob, room.id, 'stays');
    const answer = await remove(bob, room.id, secret.id);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    expect(answer.body).to.deep.equal({ id: secret.id, room_id: room.id, deleted: true });
    const frame = await stream.next((f) => f['type'] === 'message_deleted' && (f['message'] as V1Message).id === secret.id);
    expect(frame['message']).to.deep.equal({ id: secret.id, room_id: room.id, deleted: true });
    stream.close();
    expect((await v1History(t, ann, room.id)).map((message) => message.id)).to.deep.equal([other.id]);
    expect(errorCode(await edit(bob, room.id, secret.id, 'again?'))).to.equal('message_not_found');
    expect(errorCode(await remove(bob, room.id, secret.id))).to.equal('message_not_found');
    const replay = await V1Socket.open(t, '/v1/stream?cursor=0&device=fresh', ann.token);
    await replay.next((f) => f['type'] === 'message' && (f['message'] as V1Message).id === other.id);
    replay.close();
    expect(JSON.stringify(replay.frames)).not.to.include('a secret to take back');
  });

  it("lets a group's creator delete anyone's message, and refuses the rest", async () => {
    const room = await v1Group(t, ann, 'moderated', [bob, eve]);
    const bobs = await sent(bob, room.id, 'from bob');
    const anns = await sent(ann, room.id, 'from ann');
    expect(errorCode(await edit(ann, room.id, bobs.id, 'not mine'))).to.equal('forbidden');
    expect(errorCode(await remove(eve, room.id, bobs.id))).to.equal('forbidden');
    expect(errorCode(await remove(bob, room.id, anns.id))).to.equal('forbidden');
    expect((await remove(ann, room.id, bobs.id)).status).to.equal(200);
    const outsider = await v1User(t, `outsider${Date.now()}`);
    expect(errorCode(await remove(outsider, room.id, anns.id))).to.equal('not_a_member');
    expect(errorCode(await edit(outsider, room.id, anns.id, 'x'))).to.equal('not_a_member');
    expect(errorCode(await edit(ann, room.id, anns.id, ''))).to.equal('invalid_text');
    expect(errorCode(await edit(ann, room.id, anns.id, 5))).to.equal('invalid_json');
    expect(errorCode(await edit(ann, room.id + 1000, anns.id, 'x'))).to.equal('room_not_found');
    const elsewhere = await v1Group(t, ann, 'elsewhere');
    expect(errorCode(await edit(ann, elsewhere.id, anns.id, 'x')), 'a message of another room').to.equal('message_not_found');
    expect(errorCode(await t.client.json('PATCH', `/v1/rooms/${room.id}/messages/abc`, { text: 'x' }, ann.token))).to.equal(
      'message_not_found',
    );
    expect((await t.client.json('DELETE', `/v1/rooms/${room.id}/messages/${anns.id}`)).status).to.equal(401);
  });

  it('sends edits and deletes to a WS /im client that opted in, and nothing new to legacy ones', async () => {
    const phone = `86139${String(Date.now()).slice(-6)}`;
    const kim = await imUser(t, 'kim', phone);
    const room = await v1Group(t, ann, 'im group', [kim]);
    const tls = await ImClient.tls(t.server.imPort, ca);
    const plain = await ImClient.websocket(`wss://localhost:${t.server.port}/im`, ca);
    const opted = await ImClient.websocket(`wss://localhost:${t.server.port}/im?features=edits`, ca);
    for (const [client, device] of [
      [tls, 'tls'],
      [plain, 'plain'],
      [opted, 'opted'],
    ] as const)
      expect((await client.login(kim, device)).fields['s']).to.equal(0);
    const message = await sent(ann, room.id, 'to be edited');
    const isMessage = (id: number) => (frame: TomlFrame) => frame.type === 'gm' && frame.fields['mid'] === id;
    for (const client of [tls, plain, opted]) await client.next(isMessage(message.id));
    expect((await edit(ann, room.id, message.id, 'edited for im')).status).to.equal(200);
    expect((await remove(ann, room.id, message.id)).status).to.equal(200);
    const after = await sent(ann, room.id, 'after the changes');
    const editFrame = await opted.next((frame) => frame.type === 'n' && frame.fields['t'] === 'edit_message');
    expect(editFrame.fields).to.include({ mid: message.id, g_id: room.id, c: 'edited for im', from: ann.id });
    const deleteFrame = await opted.next((frame) => frame.type === 'n' && frame.fields['t'] === 'delete_message');
    expect(deleteFrame.fields).to.include({ mid: message.id, g_id: room.id, from: ann.id });
    for (const client of [tls, plain]) {
      // Frames arrive in log order: once the later message is in, an edit or delete frame would have been too.
      await client.next(isMessage(after.id));
      const joined = (frame: TomlFrame) => frame.type === 'n' && frame.fields['t'] === 'create_group';
      expect(
        client.frames.filter((frame) => !joined(frame)),
        'frames besides the messages',
      ).to.deep.equal([]);
    }
    for (const client of [tls, plain, opted]) client.close();
  });
});
