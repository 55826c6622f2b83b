import { expect } from 'chai';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AMR } from '../../support/media.js';
import { v1History, type V1Room } from '../../support/rooms.js';
import { runSeedCurl, seedAvailable, seedCurls } from '../../support/seed-curl.js';
import { startTestServer, testCertificates, type TestServer } from '../../support/test-server.js';
import { responseOf } from '../../support/toml.js';
import { imUser, type TestUser } from '../../support/users.js';

/**
 * The seed's curl lines for groups and media, run with curl against a fresh server, where
 * users 1 to 4 exist so that the ids in the lines mean what the seed meant. Each token of the
 * seed stands for one of them; the join key is the group's real one.
 */
describe('the simple_im seed curl examples for groups and media, run with curl', function () {
  let t: TestServer;
  let users: TestUser[];
  const keys = new Map<string, string>();
  before(async function () {
    if (!seedAvailable()) this.skip();
    t = await startTestServer();
    users = [];
    for (let i = 1; i <= 4; i++) users.push(await imUser(t, `user${i}`, `861340000000${i}`));
    expect(users.map((user) => user.id)).to.deep.equal([1, 2, 3, 4]);
  });
  after(() => t?.stop());

  /** The seed's tokens: the creator (user 1) creates, deletes, adds and sends; user 4 joins; user 2 leaves. */
  const tokenOf: Record<string, () => TestUser> = {
    'I0kUMlwgXy6DfFwd+1indo6+rsF+YJfd': () => users[0]!,
    'MYNvES7FEIbciYGgcmu0YfyZkodY+kzd': () => users[0]!,
    '2nL0Lqm/B77lzNWCfhfG1NWdTyEzlQ3U': () => users[3]!,
    eRooKi4EFYz6YYx0PWM86cQQzK0MejNI: () => users[1]!,
  };

  function curl(line: string | undefined, cwd?: string): Promise<{ status: number; body: string }> {
    expect(line, 'the seed has this example').to.be.a('string');
    return runSeedCurl(
      line!,
      (word) =>
        word
          .replace('priv/ssl/cowboy-ca.crt', join(testCertificates, 'ca.crt'))
          .replace('https://localhost:8080', t.client.baseUrl)
          .replace(/^token=(.*)$/, (_, token: string) => `token=${tokenOf[token]?.().token ?? token}`)
          .replace(/^g_key=(.*)$/, (_, key: string) => `g_key=${keys.get(key) ?? key}`),
      cwd,
    );
  }

  const ok = (answer: { status: number; body: string }) => {
    expect(answer.status).to.equal(200);
    return responseOf(answer.body);
  };

  it('creates group 1 and deletes it, creates group 2, which user 4 joins with its key', async () => {
    const [create] = seedCurls(/-X POST -d "members\[\]=2&members\[\]=3".*\/group$/);
    const first = ok(await curl(create));
    expect(first['status']).to.equal(0);
    expect((first['group'] as { id: number }).id).to.equal(1);
    expect(ok(await curl(seedCurls(/-X DELETE .*\/group\/1$/)[0]))).to.deep.equal({ status: 0 });

    const second = ok(await curl(create));
    const group = second['group'] as { id: number; key: string };
    expect(group.id).to.equal(2);
    keys.set('PLwXRfpe7zFl3FWN', group.key);
    expect(ok(await curl(seedCurls(/g_key=.*\/group\/2\/member$/)[0]))).to.deep.equal({ status: 0 });
  });

  it('user 2 leaves group 2 and its creator adds user 2 back', async () => {
    expect(ok(await curl(seedCurls(/-X DELETE .*\/group\/2\/member$/)[0]))).to.deep.equal({ status: 0 });
    expect(ok(await curl(seedCurls(/\/group\/2\/member\/2$/)[0]))).to.deep.equal({ status: 0 });
    const room = (await t.client.json('GET', '/v1/rooms/2', undefined, users[1]!.token)).body as V1Room;
    expect(room.users.map((user) => user.id)).to.deep.equal([1, 2, 3, 4]);
  });

  it('sends assets/10010.amr to user 2, who finds it in their direct room and downloads it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'eschat-seed-'));
    mkdirSync(join(cwd, 'assets'));
    writeFileSync(join(cwd, 'assets', '10010.amr'), AMR);
    const sent = ok(await curl(seedCurls(/\/m\/audio/)[0], cwd));
    expect(sent['status']).to.equal(0);
    const { c } = sent['message'] as { c: string };

    const [receiver, sender] = [users[1]!, users[0]!];
    const direct = (await t.client.json('POST', '/v1/rooms', { users: [{ id: sender.id, login: 'user1' }] }, receiver.token))
      .body as V1Room;
    const [message] = await v1History(t, receiver, direct.id);
    expect(message).to.include({ kind: 'audio', user_id: sender.id });
    const bytes = await t.client.request('GET', c, { headers: { cookie: `token=${receiver.token}` } });
    expect(bytes.bytes.equals(AMR)).to.equal(true);
  });
});
