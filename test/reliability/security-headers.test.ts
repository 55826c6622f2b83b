import { expect } from 'chai';
import { callRoute } from '../support/route-call.js';
import { routeTable } from '../support/route-table.js';
import { missingSecurityHeaders } from '../support/security-headers.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { v1User, type TestUser } from '../support/users.js';

/** Paths beside the route tables: unknown ones in each dialect, and the operator's endpoints. */
const OTHER_PATHS = ['/v1/no/such/path', '/no/such/path', '/metrics', '/v1/health'];

describe('security headers on every HTTP answer', () => {
  let t: TestServer;
  let user: TestUser;
  before(async () => {
    t = await startTestServer({ ESCHAT_BODY_LIMIT: '64' });
    user = await v1User(t, 'headers');
  });
  after(() => t.stop());

  it('sets them on every route, signed in or not, on success and refusal, and beside the tables', async () => {
    const problems: string[] = [];
    const statuses = new Set<number>();
    let answers = 0;
    const check = (label: string, answer: Parameters<typeof missingSecurityHeaders>[0] & { status: number }) => {
      answers += 1;
      statuses.add(answer.status);
      const missing = missingSecurityHeaders(answer);
      if (missing.length > 0) problems.push(`${label} (${answer.status}): ${missing.join(', ')}`);
    };
    for (const route of routeTable(t.config)) {
      // Logging out would end the session the other routes use.
      if (route.key === 'POST /v1/logout') continue;
      for (const token of [null, user.token])
        check(`${route.key} ${token ? 'signed in' : 'anonymous'}`, await callRoute(t.client, route, {}, token));
      // A body over the (small) limit: 413 in v1, the status 5 envelope in im.
      if (route.method === 'POST')
        check(`${route.key} too large`, await callRoute(t.client, route, { json: { pad: 'x'.repeat(100) } }, user.token));
    }
    for (const path of OTHER_PATHS) check(path, await t.client.request('GET', path));
    console.log(`      headers: ${answers} answers checked, HTTP statuses ${[...statuses].sort().join(', ')}`);
    expect(problems).to.deep.equal([]);
    expect([...statuses]).to.include.members([200, 401, 404, 413, 422]);
  });
});
