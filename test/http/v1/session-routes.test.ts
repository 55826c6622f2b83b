import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../support/test-server.js';

describe('v1 sessions: register, login, logout', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('registers a user and answers a session id that works at once', async () => {
    const registered = await t.client.json('POST', '/v1/register', { login: 'Василий', password: 'secret' });
    expect(registered.status).to.equal(200);
    const { session_id } = registered.body as { session_id: string };
    expect(session_id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const info = await t.client.json('GET', '/v1/info', undefined, session_id);
    expect(info.status).to.equal(200);
    expect(info.body).to.deep.include({ login: 'Василий' });
    expect((info.body as { id: number }).id).to.be.a('number');
  });

  it('refuses a login already taken, whatever its case', async () => {
    await t.client.json('POST', '/v1/register', { login: 'Petr', password: 'x' });
    const again = await t.client.json('POST', '/v1/register', { login: 'petr', password: 'y' });
    expect(again.status).to.equal(422);
    expect(again.body).to.deep.equal({ error: { code: 'user_already_exists' } });
  });

  it('logs in with the right password only', async () => {
    await t.client.json('POST', '/v1/register', { login: 'anna', password: 'right' });
    const wrong = await t.client.json('POST', '/v1/login', { login: 'anna', password: 'wrong' });
    expect(wrong).to.deep.include({ status: 422, body: { error: { code: 'wrong_credentials' } } });
    const unknown = await t.client.json('POST', '/v1/login', { login: 'nobody-here', password: 'right' });
    expect(unknown).to.deep.include({ status: 422, body: { error: { code: 'user_not_found' } } });
    const right = await t.client.json('POST', '/v1/login', { login: 'ANNA', password: 'right' });
    expect(right.status).to.equal(200);
    expect((right.body as { session_id: string }).session_id).to.be.a('string');
  });

  it('keeps sessions of several devices apart; logout ends only its own', async () => {
    await t.client.json('POST', '/v1/register', { login: 'multi', password: 'pw' });
    const a = ((await t.client.json('POST', '/v1/login', { login: 'multi', password: 'pw' })).body as { session_id: string }).session_id;
    const b = ((await t.client.json('POST', '/v1/login', { login: 'multi', password: 'pw' })).body as { session_id: string }).session_id;
    const out = await t.client.json('POST', '/v1/logout', {}, a);
    expect(out).to.deep.include({ status: 200, body: {} });
    expect((await t.client.json('GET', '/v1/info', undefined, a)).status).to.equal(401);
    expect((await t.client.json('GET', '/v1/info', undefined, b)).status).to.equal(200);
    expect((await t.client.json('POST', '/v1/logout', {}, a)).status).to.equal(401);
  });

  it('answers invalid_json for a body that does not parse or has the wrong shape', async () => {
    for (const body of ['{', '', '[]', '{"login":1,"password":"x"}', '{"login":"a"}', 'null', '"text"']) {
      const answer = await t.client.request('POST', '/v1/login', { headers: { 'content-type': 'application/json' }, body });
      expect(answer.status, body).to.equal(422);
      expect(JSON.parse(answer.text), body).to.deep.equal({ error: { code: 'invalid_json' } });
    }
  });

  it('accepts JSON whatever the content type says', async () => {
    const answer = await t.client.request('POST', '/v1/register', {
      headers: { 'content-type': 'text/plain' },
      body: '{"login":"plain","password":"p"}',
    });
    expect(answer.status).to.equal(200);
  });

  it('refuses empty logins and passwords with a clear code', async () => {
    expect((await t.client.json('POST', '/v1/register', { login: ' ', password: 'p' })).body).to.deep.equal({
      error: { code: 'invalid_login' },
    });
    expect((await t.client.json('POST', '/v1/register', { login: 'okname', password: '' })).body).to.deep.equal({
      error: { code: 'invalid_password' },
    });
  });

  it('answers 413 payload_too_large for a body over the limit', async () => {
    const huge = JSON.stringify({ login: 'x'.repeat(2 * 1024 * 1024), password: 'p' });
    const answer = await t.client.request('POST', '/v1/register', { headers: { 'content-type': 'application/json' }, body: huge });
    expect(answer.status).to.equal(413);
    expect(JSON.parse(answer.text)).to.deep.equal({ error: { code: 'payload_too_large' } });
  });

  it('accepts the token as X-Session-Id, cookie, or Bearer, and refuses anything else', async () => {
    const token = ((await t.client.json('POST', '/v1/register', { login: 'carrier', password: 'p' })).body as { session_id: string })
      .session_id;
    const good: Array<Record<string, string>> = [
      { 'x-session-id': token },
      { cookie: `token=${token}` },
      { authorization: `Bearer ${token}` },
    ];
    for (const headers of good) {
      expect((await t.client.request('GET', '/v1/info', { headers })).status).to.equal(200);
    }
    const bad: Array<Record<string, string>> = [
      {},
      { 'x-session-id': 'nope' },
      { 'x-session-id': token.toUpperCase() },
      { authorization: `Basic ${token}` },
    ];
    for (const headers of bad) {
      const answer = await t.client.request('GET', '/v1/info', { headers });
      expect(answer.status).to.equal(401);
      expect(JSON.parse(answer.text)).to.deep.equal({ error: { code: 'unauthorized' } });
    }
  });

  it('throttles an account after repeated failures with 429 and Retry-After', async () => {
    await t.client.json('POST', '/v1/register', { login: 'target', password: 'right' });
    for (let i = 0; i < t.config.limits.loginFailures; i++) {
      expect((await t.client.json('POST', '/v1/login', { login: 'target', password: `wrong${i}` })).status).to.equal(422);
    }
    const throttled = await t.client.json('POST', '/v1/login', { login: 'target', password: 'right' });
    expect(throttled.status).to.equal(429);
    expect(throttled.body).to.deep.equal({ error: { code: 'rate_limited' } });
    expect(Number(throttled.headers['retry-after'])).to.be.greaterThan(0);
  });

  it('answers 404 not_found for an unknown v1 path', async () => {
    const answer = await t.client.json('GET', '/v1/nothing-here', undefined);
    expect(answer).to.deep.include({ status: 404, body: { error: { code: 'not_found' } } });
  });
});
