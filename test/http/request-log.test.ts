import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificates } from '../../src/platform/dev-certificates.js';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { spawnServer, type ServerProcess } from '../support/spawn-server.js';
import { testCertificates } from '../support/test-server.js';

interface LogLine {
  msg?: string;
  requestId?: string;
  method?: string;
  path?: string;
  route?: string;
  status?: number;
}

describe('request ids and the request log', function () {
  this.timeout(30_000);
  let dataDir: string;
  let server: ServerProcess;
  let log: SqliteEventStore;
  before(async () => {
    await ensureDevCertificates(testCertificates);
    dataDir = mkdtempSync(join(tmpdir(), 'eschat-log-'));
    server = await spawnServer(dataDir);
    // A second reader of the server's log: SQLite lets processes share the file.
    log = SqliteEventStore.open({ file: join(dataDir, 'events.db'), durability: 'normal' });
  });
  after(async () => {
    await log.close();
    await server.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const eventsOf = async (requestId: string): Promise<StoredEvent[]> =>
    (await log.readAll()).filter((event) => event.metadata.correlationId === requestId);
  const requestLines = (): LogLine[] => server.logs.map((line) => JSON.parse(line) as LogLine).filter((line) => line.msg === 'request');

  it('logs each request once with its id, route and status, and traces the events it appended back to it', async () => {
    const password = 'correct horse battery staple';
    const answer = await server.client.json('POST', '/v1/register', { login: 'traced', password });
    expect(answer.status).to.equal(200);
    const requestId = answer.headers['x-request-id'] as string;
    expect(requestId).to.match(/^[0-9a-f-]{36}$/);
    expect((await eventsOf(requestId)).map((event) => event.type)).to.deep.equal(['ValueClaimed', 'UserRegistered', 'SessionStarted']);
    // The line may reach the test's pipe just after the answer.
    for (let waited = 0; !requestLines().some((line) => line.requestId === requestId) && waited < 2000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const lines = requestLines().filter((line) => line.requestId === requestId);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.deep.include({ method: 'POST', path: '/v1/register', route: '/v1/register', status: 200 });
    const token = (answer.body as { session_id: string }).session_id;
    const logs = server.logs.join('\n');
    expect(logs, 'the password').not.to.include(password);
    expect(logs, 'the session token').not.to.include(token);
  });

  it('carries the caller request id into the events of a signed-in command', async () => {
    const token = ((await server.client.json('POST', '/v1/register', { login: 'leaving', password: 'pw' })).body as { session_id: string })
      .session_id;
    const answer = await server.client.json('POST', '/v1/logout', {}, token);
    expect(answer.status).to.equal(200);
    const events = await eventsOf(answer.headers['x-request-id'] as string);
    expect(events.map((event) => event.type)).to.deep.equal(['SessionEnded']);
  });

  it('keeps a well-formed request id a proxy forwarded, and replaces anything else', async () => {
    const forwarded = await server.client.request('GET', '/v1/openapi.json', { headers: { 'x-request-id': 'lb-7f3a9c2e41d0' } });
    expect(forwarded.headers['x-request-id']).to.equal('lb-7f3a9c2e41d0');
    const injected = await server.client.request('GET', '/v1/openapi.json', { headers: { 'x-request-id': 'x" injected' } });
    expect(injected.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
  });
});
