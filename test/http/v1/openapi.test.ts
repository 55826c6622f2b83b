import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../support/test-server.js';

describe('GET /v1/openapi.json', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('documents every v1 route with a summary, and the request bodies', async () => {
    const answer = await t.client.json('GET', '/v1/openapi.json');
    expect(answer.status).to.equal(200);
    const document = answer.body as { openapi: string; paths: Record<string, Record<string, { summary?: string; requestBody?: unknown }>> };
    expect(document.openapi).to.equal('3.1.0');
    for (const path of ['/v1/register', '/v1/login', '/v1/logout', '/v1/info', '/v1/users']) expect(document.paths).to.have.property(path);
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations))
        expect(operation.summary, `${method} ${path}`).to.be.a('string').with.length.greaterThan(0);
    }
    expect(document.paths['/v1/login']?.['post']?.requestBody).to.be.an('object');
  });

  it('documents presence: the route, and the stream frames both ways', async () => {
    const document = (await t.client.json('GET', '/v1/openapi.json')).body as {
      paths: Record<string, Record<string, { summary?: string }>>;
      components: { schemas: Record<string, { description?: string; properties?: Record<string, unknown> }> };
    };
    expect(document.paths['/v1/users/{id}/presence']?.['get']?.summary).to.include('last_seen');
    const frame = document.components.schemas['StreamFramePresence'];
    expect(Object.keys(frame?.properties ?? {})).to.deep.equal(['type', 'user_id', 'presence', 'last_seen']);
    expect(document.components.schemas['ClientFramePresence']?.description).to.include('away');
  });
});
