import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { parseToml, responseOf } from '../../support/toml.js';
import { imUser } from '../../support/users.js';

describe('im users and sessions', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('GET /health answers status 0 as TOML', async () => {
    const answer = await t.client.request('GET', '/health');
    expect(answer.status).to.equal(200);
    expect(answer.headers['content-type']).to.equal('application/toml; charset=utf-8');
    expect(responseOf(answer.text)).to.deep.equal({ status: 0 });
  });

  it('POST /user registers, adds the id, and refuses the same phone again', async () => {
    const first = responseOf((await t.client.form('POST', '/user', { name: '大傻', phone: '8618266175357', password: '888888' })).text);
    expect(first['status']).to.equal(0);
    expect((first['user'] as { id: number }).id).to.be.a('number');
    const again = responseOf((await t.client.form('POST', '/user', { name: 'other', phone: '8618266175357', password: 'x' })).text);
    expect(again).to.deep.equal({ status: 1, reason: 'User Exist' });
  });

  it('POST /user names the first missing field, in the order name, phone, password', async () => {
    expect(responseOf((await t.client.form('POST', '/user', {})).text)).to.deep.equal({ status: 3, reason: 'name Required' });
    expect(responseOf((await t.client.form('POST', '/user', { name: 'a' })).text)).to.deep.equal({ status: 3, reason: 'phone Required' });
    expect(responseOf((await t.client.form('POST', '/user', { name: 'a', phone: '123456' })).text)).to.deep.equal({
      status: 3,
      reason: 'password Required',
    });
    expect(responseOf((await t.client.form('POST', '/user', { name: 'a', phone: 'not-a-phone', password: 'p' })).text)).to.deep.equal({
      status: 3,
      reason: 'Invalid phone',
    });
  });

  it('POST /server/login answers the IM endpoint, the user id and a token', async () => {
    await t.client.form('POST', '/user', { name: 'xiaotie', phone: '8613000000001', password: 'pw' });
    const answer = responseOf(
      (await t.client.form('POST', '/server/login', { phone: '8613000000001', password: 'pw', device: 'android' })).text,
    );
    expect(answer['status']).to.equal(0);
    expect(answer['server']).to.equal('localhost');
    expect(answer['port']).to.equal(String(t.server.imPort));
    const user = answer['user'] as { id: number; token: string };
    expect(user.id).to.be.a('number');
    expect(user.token).to.be.a('string').with.length.greaterThan(30);
  });

  it('POST /server/login refuses what the seed says it refuses', async () => {
    await t.client.form('POST', '/user', { name: 'm', phone: '8613000000002', password: 'pw' });
    expect(
      responseOf((await t.client.form('POST', '/server/login', { phone: '8613000000002', password: 'bad', device: 'a' })).text),
    ).to.deep.equal({ status: 1, reason: 'Mismatch' });
    expect(
      responseOf((await t.client.form('POST', '/server/login', { phone: '8619999999999', password: 'pw', device: 'a' })).text),
    ).to.deep.equal({
      status: 2,
      reason: "User doesn't exist!",
    });
    expect(responseOf((await t.client.form('POST', '/server/login', { phone: '8613000000002', password: 'pw' })).text)).to.deep.equal({
      status: 3,
      reason: 'device Required',
    });
  });

  it('GET /user/id and /user/phone need a token and answer [[user]] rows', async () => {
    const me = await imUser(t, 'finder', '8613000000003');
    const noToken = responseOf((await t.client.request('GET', `/user/id/${me.id}`)).text);
    expect(noToken).to.deep.equal({ status: 1, reason: 'Token error' });
    const badToken = responseOf(
      (await t.client.request('GET', `/user/id/${me.id}`, { headers: { cookie: 'token=3vPjUabByvMwBFR9tIeP0bDec4INGQ/T' } })).text,
    );
    expect(badToken).to.deep.equal({ status: 1, reason: 'Token error' });
    const byId = parseToml((await t.client.request('GET', `/user/id/${me.id}`, { headers: { cookie: `token=${me.token}` } })).text);
    expect(byId['user']).to.deep.equal([{ id: me.id, name: 'finder', phone: '8613000000003', avatar: '' }]);
    const byPhone = parseToml(
      (await t.client.request('GET', '/user/phone/8613000000003', { headers: { cookie: `token=${me.token}` } })).text,
    );
    expect(byPhone['user']).to.deep.equal([{ id: me.id, name: 'finder', phone: '8613000000003', avatar: '' }]);
    const none = parseToml((await t.client.request('GET', '/user/id/999999', { headers: { cookie: `token=${me.token}` } })).text);
    expect(none['user']).to.equal(undefined);
    const hostile = parseToml((await t.client.request('GET', '/user/id/-1.5e999', { headers: { cookie: `token=${me.token}` } })).text);
    expect(hostile['response']).to.deep.equal([{ status: 0 }]);
  });

  it('POST /server/reconnect checks the token against the id', async () => {
    const me = await imUser(t, 'again', '8613000000004');
    const ok = responseOf((await t.client.form('POST', '/server/reconnect', { id: String(me.id) }, me.token)).text);
    expect(ok).to.deep.equal({ status: 0, server: 'localhost', port: String(t.server.imPort) });
    expect(responseOf((await t.client.form('POST', '/server/reconnect', { id: String(me.id + 1) }, me.token)).text)).to.deep.equal({
      status: 1,
      reason: 'Token Error',
    });
    expect(responseOf((await t.client.form('POST', '/server/reconnect', { id: String(me.id) }, 'bogus')).text)).to.deep.equal({
      status: 1,
      reason: 'Token Error',
    });
  });

  it('POST /server/failed says the IM server is online', async () => {
    const me = await imUser(t, 'failing', '8613000000005');
    expect(responseOf((await t.client.form('POST', '/server/failed', {}, me.token)).text)).to.deep.equal({
      status: 1,
      reason: 'IM is online',
    });
    expect(responseOf((await t.client.form('POST', '/server/failed', {}, 'bogus')).text)).to.deep.equal({
      status: 1,
      reason: 'Token Error',
    });
  });

  it('a user registered in one dialect signs in from the other', async () => {
    const imSide = await imUser(t, 'crosser', '8613000000006', 'pw');
    const v1Login = await t.client.json('POST', '/v1/login', { login: '8613000000006', password: 'pw' });
    expect(v1Login.status).to.equal(200);
    const info = await t.client.json('GET', '/v1/info', undefined, (v1Login.body as { session_id: string }).session_id);
    expect(info.body).to.deep.equal({ id: imSide.id, login: 'crosser' });

    const v1Token = ((await t.client.json('POST', '/v1/register', { login: 'webonly', password: 'pw2' })).body as { session_id: string })
      .session_id;
    const imLogin = responseOf((await t.client.form('POST', '/server/login', { phone: 'webonly', password: 'pw2', device: 'ios' })).text);
    expect(imLogin['status']).to.equal(0);
    const webUser = (await t.client.json('GET', '/v1/info', undefined, v1Token)).body as { id: number };
    expect((imLogin['user'] as { id: number }).id).to.equal(webUser.id);
    const viaCookie = parseToml((await t.client.request('GET', `/user/id/${imSide.id}`, { headers: { cookie: `token=${v1Token}` } })).text);
    expect(viaCookie['user']).to.have.length(1);
  });

  it('keeps the envelope for a form body over the limit', async () => {
    const answer = await t.client.form('POST', '/user', { name: 'x'.repeat(2 * 1024 * 1024), phone: '1', password: 'p' });
    expect(answer.status).to.equal(200);
    expect(responseOf(answer.text)).to.deep.equal({ status: 5, reason: 'Payload Too Large' });
  });

  it('escapes quotes and backslashes in names, and refuses control characters', async () => {
    const name = 'quote " back \\ [[m]] 🙂';
    const me = await imUser(t, name, '8613000000007');
    const rows = parseToml((await t.client.request('GET', `/user/id/${me.id}`, { headers: { cookie: `token=${me.token}` } })).text);
    expect((rows['user'] as Array<{ name: string }>)[0]?.name).to.equal(name);
    const refused = responseOf((await t.client.form('POST', '/user', { name: 'two\nlines', phone: '8613000000008', password: 'p' })).text);
    expect(refused).to.deep.equal({ status: 3, reason: 'Invalid name' });
  });
});
