import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { errorCode, v1Group, type V1Room } from '../../support/rooms.js';
import { v1User, type TestUser } from '../../support/users.js';

describe('v1 rooms and groups', () => {
  let t: TestServer;
  let ann: TestUser;
  let bob: TestUser;
  let cid: TestUser;
  before(async () => {
    t = await startTestServer();
    [ann, bob, cid] = [await v1User(t, 'ann'), await v1User(t, 'bob'), await v1User(t, 'cid')];
  });
  after(() => t.stop());

  const findOrCreate = (caller: TestUser, users: unknown) => t.client.json('POST', '/v1/rooms', { users }, caller.token);

  it('POST /v1/rooms with one other user finds the same direct room from either side, members sorted by id', async () => {
    const first = await findOrCreate(ann, [{ id: bob.id, login: 'ignored' }]);
    expect(first.status).to.equal(200);
    const room = first.body as V1Room;
    expect(room.users).to.deep.equal([
      { id: ann.id, login: 'ann' },
      { id: bob.id, login: 'bob' },
    ]);
    expect(room.kind).to.equal('direct');
    const again = (
      await findOrCreate(bob, [
        { id: ann.id, login: 'ann' },
        { id: ann.id, login: 'twice' },
      ])
    ).body as V1Room;
    expect(again.id).to.equal(room.id);
  });

  it('several users make one unnamed group, found again by exactly the same people', async () => {
    const room = (
      await findOrCreate(ann, [
        { id: cid.id, login: 'c' },
        { id: bob.id, login: 'b' },
      ])
    ).body as V1Room;
    expect(room).to.include({ kind: 'group', name: null, creator: ann.id, key: null });
    expect(room.users.map((user) => user.id)).to.deep.equal([ann.id, bob.id, cid.id]);
    expect(
      (
        (
          await findOrCreate(cid, [
            { id: ann.id, login: 'a' },
            { id: bob.id, login: 'b' },
          ])
        ).body as V1Room
      ).id,
    ).to.equal(room.id);
    const direct = (await findOrCreate(ann, [{ id: bob.id, login: 'b' }])).body as V1Room;
    expect(direct.id).not.to.equal(room.id);
  });

  it('no other user is a room with only the caller, found again', async () => {
    const solo = (await findOrCreate(ann, [])).body as V1Room;
    expect(solo.users).to.deep.equal([{ id: ann.id, login: 'ann' }]);
    expect(((await findOrCreate(ann, [{ id: ann.id, login: 'me' }])).body as V1Room).id).to.equal(solo.id);
  });

  it('refuses unknown users and malformed bodies with 422', async () => {
    expect(errorCode(await findOrCreate(ann, [{ id: 999_999, login: 'x' }]))).to.equal('user_not_found');
    for (const users of [[{ id: '2', login: 'x' }], [{ login: 'x' }], 'nope', [{ id: 1.5 }]]) {
      const answer = await findOrCreate(ann, users);
      expect(answer.status, JSON.stringify(users)).to.equal(422);
      expect(errorCode(answer)).to.equal('invalid_json');
    }
    const broken = await t.client.request('POST', '/v1/rooms', { headers: { 'x-session-id': ann.token }, body: '{"users":[' });
    expect(broken.status).to.equal(422);
  });

  it('GET /v1/rooms lists the rooms of the caller only, with kind and name', async () => {
    const dee = await v1User(t, 'dee');
    const group = await v1Group(t, dee, 'Dee\u2019s group', [bob]);
    const rooms = (await t.client.json('GET', '/v1/rooms', undefined, dee.token)).body as V1Room[];
    expect(rooms.map((room) => room.id)).to.deep.equal([group.id]);
    expect(rooms[0]).to.include({ kind: 'group', name: 'Dee\u2019s group' });
    const bobs = (await t.client.json('GET', '/v1/rooms', undefined, bob.token)).body as V1Room[];
    expect(bobs.map((room) => room.id)).to.include(group.id);
    expect(((await t.client.json('GET', '/v1/rooms', undefined, cid.token)).body as V1Room[]).map((room) => room.id)).not.to.include(
      group.id,
    );
  });

  it('POST /v1/groups answers id, name, a 16-character key and the users; bad names and unknown members are refused', async () => {
    const group = await v1Group(t, ann, 'team', [bob, bob]);
    expect(group.key).to.match(/^[A-Za-z0-9_-]{16}$/);
    expect(group.users.map((user) => user.id)).to.deep.equal([ann.id, bob.id]);
    const info = await t.client.json('GET', `/v1/rooms/${group.id}`, undefined, bob.token);
    expect(info.body).to.deep.include({ id: group.id, name: 'team', key: group.key });
    for (const name of ['', ' ', 'x'.repeat(65), 'two\nlines']) {
      expect(errorCode(await t.client.json('POST', '/v1/groups', { name, members: [] }, ann.token)), JSON.stringify(name)).to.equal(
        'invalid_name',
      );
    }
    expect(errorCode(await t.client.json('POST', '/v1/groups', { name: 'ok', members: [999_999] }, ann.token))).to.equal('user_not_found');
  });

  it('joins with the key, refuses a wrong key and a second join; the creator adds, removes, rotates and deletes', async () => {
    const group = await v1Group(t, ann, 'club');
    const members = (room: number) =>
      t.client
        .json('GET', `/v1/rooms/${room}`, undefined, ann.token)
        .then((answer) => (answer.body as V1Room).users.map((user) => user.id));

    expect(errorCode(await t.client.json('POST', `/v1/rooms/${group.id}/members`, { key: 'wrong-key-000000' }, bob.token))).to.equal(
      'wrong_key',
    );
    const joined = await t.client.json('POST', `/v1/rooms/${group.id}/members`, { key: group.key }, bob.token);
    expect((joined.body as V1Room).users.map((user) => user.id)).to.deep.equal([ann.id, bob.id]);
    expect(errorCode(await t.client.json('POST', `/v1/rooms/${group.id}/members`, { key: group.key }, bob.token))).to.equal(
      'already_member',
    );

    expect(errorCode(await t.client.json('POST', `/v1/rooms/${group.id}/members`, { user_id: cid.id }, bob.token))).to.equal('forbidden');
    expect((await t.client.json('POST', `/v1/rooms/${group.id}/members`, { user_id: cid.id }, ann.token)).status).to.equal(200);
    expect(errorCode(await t.client.json('POST', `/v1/rooms/${group.id}/members`, { user_id: 999_999 }, ann.token))).to.equal(
      'user_not_found',
    );
    expect(await members(group.id)).to.deep.equal([ann.id, bob.id, cid.id]);

    expect(errorCode(await t.client.json('DELETE', `/v1/rooms/${group.id}/members/${cid.id}`, undefined, bob.token))).to.equal('forbidden');
    expect((await t.client.json('DELETE', `/v1/rooms/${group.id}/members/${cid.id}`, undefined, ann.token)).status).to.equal(200);
    expect((await t.client.json('DELETE', `/v1/rooms/${group.id}/members/me`, undefined, bob.token)).status).to.equal(200);
    expect(errorCode(await t.client.json('DELETE', `/v1/rooms/${group.id}/members/me`, undefined, bob.token))).to.equal('not_a_member');
    expect(await members(group.id)).to.deep.equal([ann.id]);

    expect(errorCode(await t.client.json('POST', `/v1/rooms/${group.id}/key`, undefined, bob.token))).to.equal('forbidden');
    const rotated = (await t.client.json('POST', `/v1/rooms/${group.id}/key`, undefined, ann.token)).body as { id: number; key: string };
    expect(rotated.key)
      .to.match(/^[A-Za-z0-9_-]{16}$/)
      .and.not.equal(group.key);
    expect(errorCode(await t.client.json('POST', `/v1/rooms/${group.id}/members`, { key: group.key }, bob.token))).to.equal('wrong_key');
    expect((await t.client.json('POST', `/v1/rooms/${group.id}/members`, { key: rotated.key }, bob.token)).status).to.equal(200);

    expect(errorCode(await t.client.json('DELETE', `/v1/rooms/${group.id}`, undefined, bob.token))).to.equal('forbidden');
    expect((await t.client.json('DELETE', `/v1/rooms/${group.id}`, undefined, ann.token)).status).to.equal(200);
    expect(errorCode(await t.client.json('GET', `/v1/rooms/${group.id}`, undefined, ann.token))).to.equal('room_not_found');
    expect(errorCode(await t.client.json('DELETE', `/v1/rooms/${group.id}`, undefined, ann.token))).to.equal('room_not_found');
  });

  it('a direct room keeps its two members: nobody leaves, is added or deletes it', async () => {
    const direct = (await findOrCreate(cid, [{ id: bob.id, login: 'b' }])).body as V1Room;
    expect(errorCode(await t.client.json('DELETE', `/v1/rooms/${direct.id}/members/me`, undefined, cid.token))).to.equal('forbidden');
    expect(errorCode(await t.client.json('POST', `/v1/rooms/${direct.id}/members`, { user_id: ann.id }, cid.token))).to.equal('forbidden');
    expect(errorCode(await t.client.json('DELETE', `/v1/rooms/${direct.id}`, undefined, cid.token))).to.equal('forbidden');
    expect((await t.client.json('GET', `/v1/rooms/${direct.id}`, undefined, bob.token)).status).to.equal(200);
  });

  it('answers room_not_found for ids that cannot be rooms', async () => {
    for (const id of ['abc', '0', '-1', '1e3', '99999999999999999999']) {
      const answer = await t.client.json('GET', `/v1/rooms/${id}`, undefined, ann.token);
      expect(answer.status, id).to.equal(422);
      expect(errorCode(answer), id).to.equal('room_not_found');
    }
  });
});
