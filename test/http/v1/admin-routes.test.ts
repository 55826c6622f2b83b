import { expect } from 'chai';
import { projections } from '../../../src/projections/all-projections.js';
import { auditRoom } from '../../../src/queries/audit/room.js';
import { errorCode, v1Group, v1Send } from '../../support/rooms.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { imUser, v1User, type TestUser } from '../../support/users.js';

/** `/v1/admin/...`: the audits and projection controls, for the logins in ESCHAT_ADMINS only. */
describe('v1 admin routes', function () {
  this.timeout(30_000);
  let t: TestServer;
  let root: TestUser;
  let alice: TestUser;
  let impostor: TestUser;
  let roomId: number;
  let messageId: number;

  before(async () => {
    t = await startTestServer({ ESCHAT_ADMINS: 'someone, ROOT' });
    root = await v1User(t, 'root');
    alice = await v1User(t, 'alice');
    // An im account is named, not logged in as: its name is not unique, so it is nobody's admin.
    impostor = await imUser(t, 'root', '8613800000001');
    const room = await v1Group(t, alice, 'book club', [root]);
    roomId = room.id;
    messageId = ((await v1Send(t, alice, roomId, 'chapter one')).body as { id: number }).id;
  });
  after(() => t.stop());

  const gets = () => [
    '/v1/admin/projections',
    `/v1/admin/audit/user/${alice.id}`,
    `/v1/admin/audit/room/${roomId}`,
    `/v1/admin/audit/message/${messageId}`,
    `/v1/admin/audit/stream/room-${roomId}`,
  ];

  it('answers 401 without a session and 403 forbidden to everyone but the admins, on every admin route', async () => {
    for (const path of gets()) {
      expect((await t.client.json('GET', path)).status, path).to.equal(401);
      for (const user of [alice, impostor]) {
        const answer = await t.client.json('GET', path, undefined, user.token);
        expect([answer.status, errorCode(answer)], path).to.deep.equal([403, 'forbidden']);
      }
      expect((await t.client.json('GET', path, undefined, root.token)).status, path).to.equal(200);
    }
    const rebuild = await t.client.json('POST', '/v1/admin/projections/rebuild', {}, alice.token);
    expect([rebuild.status, errorCode(rebuild)]).to.deep.equal([403, 'forbidden']);
  });

  it('audits a room as the CLI does, with ?at= and ?with_content=', async () => {
    const answer = await t.client.json('GET', `/v1/admin/audit/room/${roomId}?with_content=true`, undefined, root.token);
    expect(answer.body).to.deep.equal(JSON.parse(JSON.stringify(await auditRoom(t.server.store, roomId, { withContent: true }))));
    const body = answer.body as {
      room: { name: string; members: Array<{ id: number; label: string }> };
      messages: Array<{ data: { text: string } }>;
    };
    expect(body.room.name).to.equal('book club');
    const members = [root, alice].sort((a, b) => a.id - b.id);
    expect(body.room.members.map((member) => member.label)).to.deep.equal(
      members.map((user) => `${user === root ? 'root' : 'alice'} (#${user.id})`),
    );
    expect(body.messages.map((message) => message.data.text)).to.deep.equal(['chapter one']);
    const before = await t.client.json('GET', `/v1/admin/audit/room/${roomId}?at=${messageId - 1}`, undefined, root.token);
    expect((before.body as { messages: unknown[] }).messages).to.have.length(0);
    const hidden = await t.client.json('GET', `/v1/admin/audit/message/${messageId}`, undefined, root.token);
    expect((hidden.body as { message: { data: { text: string } } }).message.data.text).to.equal('[hidden]');
  });

  it('answers 404 for what is not in the log and 422 for a moment it cannot read', async () => {
    const cases: Array<[string, number, string]> = [
      ['/v1/admin/audit/user/999', 404, 'user_not_found'],
      ['/v1/admin/audit/room/999', 404, 'room_not_found'],
      [`/v1/admin/audit/room/${roomId}?at=1`, 404, 'room_not_found'],
      [`/v1/admin/audit/message/${roomId}`, 404, 'message_not_found'],
      ['/v1/admin/audit/stream/nothing-here', 404, 'stream_not_found'],
      [`/v1/admin/audit/room/${roomId}?at=someday`, 422, 'invalid_at'],
    ];
    for (const [path, status, code] of cases) {
      const answer = await t.client.json('GET', path, undefined, root.token);
      expect([answer.status, errorCode(answer)], path).to.deep.equal([status, code]);
    }
  });

  it('shows and rebuilds one projection of the running server', async () => {
    const unknown = await t.client.json('POST', '/v1/admin/projections/rebuild', { name: 'nope' }, root.token);
    expect([unknown.status, errorCode(unknown)]).to.deep.equal([422, 'unknown_projection']);
    const started = await t.client.json('POST', '/v1/admin/projections/rebuild', { name: 'rooms' }, root.token);
    expect(started.status).to.equal(202);
    expect((started.body as { rebuild: { projections: string[] } }).rebuild.projections).to.deep.equal(['rooms']);
    let body: { projections: Array<{ name: string; generation: number }>; rebuild: { finishedAt: string | null; error: string | null } };
    do {
      await new Promise((resolve) => setTimeout(resolve, 10));
      body = (await t.client.json('GET', '/v1/admin/projections', undefined, root.token)).body as typeof body;
    } while (body.rebuild.finishedAt === null);
    expect(body.rebuild.error).to.equal(null);
    expect(body.projections.map((status) => [status.name, status.generation])).to.deep.equal(
      projections.map(({ name }) => [name, name === 'rooms' ? 2 : 1]),
    );
    // The rebuilt model serves: the members see their room.
    const rooms = await t.client.json('GET', '/v1/rooms', undefined, alice.token);
    expect((rooms.body as Array<{ id: number }>).map((room) => room.id)).to.include(roomId);
  });
});
