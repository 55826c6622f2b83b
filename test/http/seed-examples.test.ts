import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, testCertificates, type TestServer } from '../support/test-server.js';
import { parseToml } from '../support/toml.js';

const run = promisify(execFile);
const seed = new URL('../../../../shared/seeds/000_c345cdeb40b5178b.txt', import.meta.url);

/** The seed's curl lines for the endpoints already served, exactly as written there. */
function seedCurls(paths: RegExp): string[] {
  return readFileSync(seed, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('curl ') && paths.test(line));
}

/** Splits a shell command line the way sh would for these simple lines (double quotes only). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? '');
}

describe('the simple_im seed curl examples, run with curl', function () {
  let t: TestServer;
  let token = '';
  before(async function () {
    if (!existsSync(seed)) this.skip();
    t = await startTestServer();
    await t.client.form('POST', '/user', { name: 'first', phone: '8610000000001', password: 'p' });
  });
  after(() => t?.stop());

  async function curl(line: string): Promise<{ status: number; body: string }> {
    const args = words(line)
      .slice(1)
      .map((word) =>
        word
          .replace('priv/ssl/cowboy-ca.crt', join(testCertificates, 'ca.crt'))
          .replace('https://localhost:8080', t.client.baseUrl)
          .replace(/^token=.*/, `token=${token}`),
      );
    const { stdout } = await run('curl', ['-s', ...args]);
    const [head = '', ...rest] = stdout.split('\r\n\r\n');
    return { status: Number(head.split(' ')[1]), body: rest.join('\r\n\r\n') };
  }

  it('health, create user, then find user by id', async () => {
    const [health] = seedCurls(/\/health/);
    expect(health, 'the seed has a health example').to.be.a('string');
    expect((await curl(health!)).status).to.equal(200);

    const [create] = seedCurls(/-X POST .* https:\/\/localhost:8080\/user$/);
    const created = await curl(create!);
    expect(created.status).to.equal(200);
    expect(parseToml(created.body)['response']?.[0]?.['status']).to.equal(0);

    const login = await t.client.form('POST', '/server/login', { phone: '8618266175357', password: '888888', device: 'android' });
    token = (parseToml(login.text)['response']?.[0]?.['user'] as { token: string }).token;
    const [find] = seedCurls(/\/user\/id\/2/);
    const found = parseToml((await curl(find!)).body);
    expect(found['response']).to.deep.equal([{ status: 0 }]);
    expect(found['user']).to.deep.equal([{ id: 2, name: '大傻', phone: '8618266175357', avatar: '' }]);
  });
});
