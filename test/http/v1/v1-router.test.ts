import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../support/test-server.js';

describe('the v1 router', () => {
  let t: TestServer;
  before(async () => (t = await startTestServer()));
  after(() => t.stop());

  it('answers /v1 itself and any unmatched path under it, by any method, with 404 {"error":{"code":"not_found"}}', async () => {
    const requests = [
      ['GET', '/v1'],
      ['GET', '/v1/'],
      ['POST', '/v1'],
      ['HEAD', '/v1'],
      ['GET', '/v1?x=1'],
      ['DELETE', '/v1/nothing/here'],
      ['PUT', '/v1/rooms/1/elsewhere'],
      ['PATCH', '/v1/info'],
    ] as const;
    for (const [method, path] of requests) {
      const answer = await t.client.request(method, path);
      expect(answer.status, `${method} ${path}`).to.equal(404);
      expect(answer.headers['content-type'], `${method} ${path}`).to.match(/^application\/json/);
      if (method !== 'HEAD') expect(JSON.parse(answer.text), `${method} ${path}`).to.deep.equal({ error: { code: 'not_found' } });
    }
  });
});
