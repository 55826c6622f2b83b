import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import type { V1Message } from '../../support/rooms.js';

/** The e_chat_server README, request after request, as its clients make them. */
describe('the e_chat_server README flow', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('registers, logs in, searches users, creates a room, reads its info and its history', async () => {
    const vasily = await t.client.json('POST', '/v1/register', { login: 'Василий', password: 'password' });
    expect(vasily.status).to.equal(200);
    expect(Object.keys(vasily.body as object)).to.deep.equal(['session_id']);
    expect((await t.client.json('POST', '/v1/register', { login: 'Петр', password: 'password' })).status).to.equal(200);

    const login = await t.client.json('POST', '/v1/login', { login: 'Василий', password: 'password' });
    expect(login.status).to.equal(200);
    const session = (login.body as { session_id: string }).session_id;
    const me = (await t.client.json('GET', '/v1/info', undefined, session)).body as { id: number; login: string };
    expect(me.login).to.equal('Василий');

    const search = await t.client.json('GET', `/v1/users/?q=${encodeURIComponent('пет')}`, undefined, session);
    expect(search.status).to.equal(200);
    const [petr] = search.body as Array<{ id: number; login: string }>;
    expect(petr?.login).to.equal('Петр');

    const created = await t.client.json('POST', '/v1/rooms', { users: [{ id: petr!.id, login: 'Петр' }] }, session);
    expect(created.status).to.equal(200);
    const room = created.body as { id: number; users: Array<{ id: number; login: string }> };
    expect(room.users).to.deep.equal(
      [
        { id: me.id, login: 'Василий' },
        { id: petr!.id, login: 'Петр' },
      ].sort((a, b) => a.id - b.id),
    );

    const rooms = await t.client.json('GET', '/v1/rooms', undefined, session);
    // The seed's room, plus eschat's keys: the group fields and the caller's read state.
    expect(rooms.body).to.deep.equal([{ ...room, kind: 'direct', name: null, creator: me.id, key: null, read_up_to: null, unread: 0 }]);
    const info = await t.client.json('GET', `/v1/rooms/${room.id}`, undefined, session);
    expect(info.status).to.equal(200);
    expect((info.body as { id: number; users: unknown }).users).to.deep.equal(room.users);

    const petrSession = ((await t.client.json('POST', '/v1/login', { login: 'Петр', password: 'password' })).body as { session_id: string })
      .session_id;
    await t.client.json('POST', `/v1/rooms/${room.id}/messages`, { text: 'Привет' }, session);
    await t.client.json('POST', `/v1/rooms/${room.id}/messages`, { text: 'И тебе привет' }, petrSession);
    const history = (await t.client.json('GET', `/v1/rooms/${room.id}/messages`, undefined, session)).body as V1Message[];
    expect(history.map(({ text, user_id, room_id }) => ({ text, user_id, room_id }))).to.deep.equal([
      { text: 'Привет', user_id: me.id, room_id: room.id },
      { text: 'И тебе привет', user_id: petr!.id, room_id: room.id },
    ]);
    for (const message of history) expect(message.created_at).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const stranger = ((await t.client.json('POST', '/v1/register', { login: 'stranger', password: 'p' })).body as { session_id: string })
      .session_id;
    expect((await t.client.json('GET', `/v1/rooms/${room.id}`, undefined, stranger)).body).to.deep.equal({
      error: { code: 'room_not_found' },
    });
    expect((await t.client.json('GET', `/v1/rooms/${room.id}/messages`, undefined, stranger)).status).to.equal(422);
    expect((await t.client.json('GET', '/v1/rooms', undefined, 'abb8fe30-a3e7-4eee-8afd-f3c2f046f6f0')).status).to.equal(401);
  });
});
