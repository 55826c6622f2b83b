import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeAnswer } from '../support/answer-judge.js';
import { fuzzRandom } from '../support/fuzz-seed.js';
import { FUZZ_STRATEGIES, fuzzRequest, type FuzzTargets } from '../support/http-fuzz.js';
import { HttpsClient } from '../support/https-client.js';
import { scaled } from '../support/long-mode.js';
import { PNG, file, postMultipart } from '../support/media.js';
import { routeTable } from '../support/route-table.js';
import { v1Group, type V1Message } from '../support/rooms.js';
import { startBystanders } from '../support/bystanders.js';
import { errorLines } from '../support/server-log.js';
import { spawnServer, type ServerProcess } from '../support/spawn-server.js';
import { testCertificates } from '../support/test-server.js';
import { loadConfig } from '../../src/platform/config.js';
import { parseToml } from '../support/toml.js';
import { imUser, v1User } from '../support/users.js';

/**
 * Thousands of generated malformed requests on every route of both dialects, against a real
 * server process, while two other users chat: never a 5xx, never an answer out of its dialect's
 * shape or showing internals, never a crash, and the bystanders never notice.
 */
describe('fuzzing every HTTP route of both dialects', () => {
  let dataDir: string;
  let server: ServerProcess;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'eschat-fuzz-http-'));
    server = await spawnServer(dataDir, { ESCHAT_ADMINS: 'fuzzer', ESCHAT_DURABILITY: 'normal' });
  });
  after(async () => {
    await server.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function targets(): Promise<FuzzTargets> {
    const fuzzer = await v1User(server, 'fuzzer');
    const other = await imUser(server, 'fuzz other', '8613500000001');
    const group = await v1Group(server, fuzzer, 'fuzzed', [other]);
    const direct = ((await server.client.json('POST', '/v1/rooms', { users: [{ id: other.id }] }, fuzzer.token)).body as { id: number }).id;
    const media = JSON.parse(
      (await postMultipart(server, `/v1/rooms/${group.id}/media`, { file: file(PNG, 'a.png', 'image/png') }, fuzzer.token)).text,
    ) as V1Message;
    const bodyBytes = loadConfig({ env: {}, cwd: dataDir }).limits.bodyBytes;
    return {
      token: fuzzer.token,
      userIds: [fuzzer.id, other.id, 999_999],
      roomIds: [group.id, direct, 999_999],
      mediaIds: [media.url!.split('/').pop()!, 'nope'],
      bodyBytes,
    };
  }

  it('reads an id in a path only in its decimal form, in both dialects', async () => {
    const reader = await v1User(server, 'id-reader');
    const found = async (text: string) => ({
      im: (parseToml((await server.client.form('GET', `/user/id/${text}`, {}, reader.token)).text)['user'] ?? []).length,
      v1: (await server.client.json('GET', `/v1/rooms/${text}`, undefined, reader.token)).status,
    });
    const room = ((await server.client.json('POST', '/v1/groups', { name: 'ids' }, reader.token)).body as { id: number }).id;
    expect(await found(String(reader.id)), 'the decimal id of a user').to.include({ im: 1 });
    expect(await found(String(room)), 'the decimal id of a room').to.include({ v1: 200 });
    for (const text of ['1e0', '0x1', '+1', '%201', '1.0', '-1', '0', '9007199254740993'].map((each) =>
      each.replace(/^1/, String(reader.id)),
    )) {
      expect(await found(text), text).to.deep.equal({ im: 0, v1: 422 });
    }
  });

  it('answers every malformed request in its dialect, without internals, while others chat undisturbed', async function () {
    const inputs = scaled(2_000, 20_000);
    this.timeout(scaled(60_000, 600_000));
    const { random } = fuzzRandom('HTTP fuzz');
    const fuzzTargets = await targets();
    const bystanders = await startBystanders(server);
    const client = new HttpsClient(server.client.baseUrl, readFileSync(join(testCertificates, 'ca.crt')), new Agent({ keepAlive: true }));
    const routes = routeTable(loadConfig({ env: {}, cwd: dataDir }));
    const failures = new Map<string, string>();
    const tried = new Map<string, number>();
    for (let i = 0; i < inputs; i++) {
      const route = routes[i % routes.length]!;
      const request = fuzzRequest(random, route, fuzzTargets);
      tried.set(request.strategy, (tried.get(request.strategy) ?? 0) + 1);
      const problems = await client
        .request(request.method, request.path, { headers: request.headers, ...(request.body ? { body: request.body } : {}) })
        .then((answer) => judgeAnswer(new URL(request.path, client.baseUrl).pathname, request.method, answer))
        .catch((error: NodeJS.ErrnoException) => [`no answer: ${error.code ?? error.message}`]);
      for (const problem of problems)
        if (!failures.has(`${route.key} ${request.strategy}: ${problem}`))
          failures.set(`${route.key} ${request.strategy}: ${problem}`, `input #${i} ${request.method} ${request.path.slice(0, 120)}`);
    }
    const round = await bystanders.stop();
    console.log(
      `      HTTP fuzz: ${inputs} inputs on ${routes.length} routes (${FUZZ_STRATEGIES.map((name) => `${name} ${tried.get(name) ?? 0}`).join(', ')}); bystanders chatted ${round.rounds} rounds`,
    );
    expect([...failures].map(([problem, input]) => `${problem} (${input})`)).to.deep.equal([]);
    expect(round.failures, 'what the bystanders lost').to.deep.equal([]);
    expect(round.rounds).to.be.greaterThan(3);
    expect(outcomeOfHealth(await server.client.request('GET', '/health'))).to.equal('alive');
    expect(server.child.exitCode, 'the process is alive').to.equal(null);
    expect(errorLines(server.logs), 'errors logged').to.deep.equal([]);
  });
});

function outcomeOfHealth(answer: { status: number; text: string }): string {
  return answer.status === 200 && /status = 0/.test(answer.text) ? 'alive' : `${answer.status} ${answer.text}`;
}
