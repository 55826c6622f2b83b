import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificates } from '../src/platform/dev-certificates.js';
import { spawnServer } from './support/spawn-server.js';
import { startTestServer, testCertificates } from './support/test-server.js';

type Outcome = { login: string; password: string; answer: 'registered' | 'refused' | 'no answer' };

describe('the embedded default across restarts', () => {
  before(() => ensureDevCertificates(testCertificates));

  it('keeps every user and session after a clean restart', async () => {
    const first = await startTestServer();
    const token = ((await first.client.json('POST', '/v1/register', { login: 'keeper', password: 'pw' })).body as { session_id: string })
      .session_id;
    await first.stop(true);
    const second = await startTestServer({}, first.dataDir);
    expect((await second.client.json('GET', '/v1/info', undefined, token)).body).to.deep.include({ login: 'keeper' });
    expect((await second.client.json('POST', '/v1/login', { login: 'keeper', password: 'pw' })).status).to.equal(200);
    await second.stop();
  });

  it('keeps its read models in read-models.db: a restart resumes from the checkpoints, and a deleted file is rebuilt from the log', async () => {
    const first = await startTestServer();
    const register = await first.client.json('POST', '/v1/register', { login: 'resumer', password: 'pw' });
    const token = (register.body as { session_id: string }).session_id;
    const head = await first.server.store.headPosition();
    expect(first.server.runner.startedFrom).to.equal(0);
    await first.stop(true);
    expect(existsSync(join(first.dataDir, 'read-models.db'))).to.equal(true);

    const resumed = await startTestServer({}, first.dataDir);
    expect(resumed.server.runner.startedFrom, 'where the restart began to read the log').to.equal(head);
    expect((await resumed.client.json('GET', '/v1/info', undefined, token)).body).to.deep.include({ login: 'resumer' });
    await resumed.stop(true);

    for (const suffix of ['', '-wal', '-shm']) rmSync(join(first.dataDir, `read-models.db${suffix}`), { force: true });
    const rebuilt = await startTestServer({}, first.dataDir);
    expect(rebuilt.server.runner.startedFrom).to.equal(0);
    expect((await rebuilt.client.json('GET', '/v1/info', undefined, token)).body).to.deep.include({ login: 'resumer' });
    await rebuilt.stop();
  });

  it('SIGKILL during a burst of registrations: what was answered holds, nothing refused exists', async function () {
    this.timeout(60_000);
    const dataDir = mkdtempSync(join(tmpdir(), 'eschat-crash-'));
    const server = await spawnServer(dataDir, { ESCHAT_DURABILITY: 'full' });
    await server.client.json('POST', '/v1/register', { login: 'taken', password: 'original' });
    const outcomes: Outcome[] = [];
    const attempts = Array.from({ length: 60 }, (_, i) => {
      // Every fifth attempt re-registers a login already taken, with another password.
      const login = i % 5 === 0 ? 'taken' : `burst${i}`;
      const outcome: Outcome = { login, password: `pw${i}`, answer: 'no answer' };
      outcomes.push(outcome);
      return server.client
        .json('POST', '/v1/register', { login, password: outcome.password })
        .then((answer) => {
          outcome.answer = answer.status === 200 ? 'registered' : 'refused';
        })
        .catch(() => undefined);
    });
    // Kill while the burst is under way: some answered, some not yet.
    for (let waited = 0; outcomes.filter((o) => o.answer !== 'no answer').length < 10 && waited < 5000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await server.kill('SIGKILL');
    await Promise.all(attempts);

    const restarted = await spawnServer(dataDir, { ESCHAT_LOGIN_FAILURES: '1000' });
    const registered = outcomes.filter((outcome) => outcome.answer === 'registered');
    const refused = outcomes.filter((outcome) => outcome.answer === 'refused');
    for (const outcome of registered) {
      expect((await restarted.client.json('POST', '/v1/login', outcome)).status, outcome.login).to.equal(200);
    }
    for (const outcome of refused) {
      expect((await restarted.client.json('POST', '/v1/login', outcome)).status, outcome.login).to.equal(422);
    }
    expect((await restarted.client.json('POST', '/v1/login', { login: 'taken', password: 'original' })).status).to.equal(200);
    expect(registered.length).to.be.greaterThan(0);
    expect(
      outcomes.some((outcome) => outcome.answer === 'no answer'),
      'the kill interrupted the burst',
    ).to.equal(true);
    console.log(
      `      crash: ${registered.length} registered, ${refused.length} refused, ${outcomes.length - registered.length - refused.length} unanswered`,
    );
    await restarted.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });
});
