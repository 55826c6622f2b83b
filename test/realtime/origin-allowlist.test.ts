import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startTestServer, testCertificates, type TestServer } from '../support/test-server.js';

/** Opens `/im` with an Origin header; resolves 'open' or the HTTP status of the refusal. */
function openWithOrigin(t: TestServer, origin: string): Promise<string | number> {
  const ws = new WebSocket(`wss://localhost:${t.server.port}/im`, { ca: readFileSync(join(testCertificates, 'ca.crt')), origin });
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    ws.once('error', () => resolve('error'));
  });
}

describe('the Origin allowlist for browser WebSockets', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ ESCHAT_ALLOWED_ORIGINS: 'https://chat.example.com' });
  });
  after(() => t.stop());

  it('lets a listed origin in and refuses any other with 403', async () => {
    expect(await openWithOrigin(t, 'https://chat.example.com')).to.equal('open');
    expect(await openWithOrigin(t, 'https://evil.example.net')).to.equal(403);
  });
});
