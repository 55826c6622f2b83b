import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWorld, type CrashCheck } from '../support/crash-checks.js';
import { retryMessages } from '../support/crash-retry.js';
import { startWorkload } from '../support/crash-workload.js';
import { CrashWorld } from '../support/crash-world.js';
import { fuzzRandom } from '../support/fuzz-seed.js';
import { scaled } from '../support/long-mode.js';
import { errorLines } from '../support/server-log.js';
import { snapshotOf } from '../support/server-snapshot.js';
import { spawnServer, type ServerProcess } from '../support/spawn-server.js';
import { v1User, type TestUser } from '../support/users.js';

/** The real thing: synced commits; an admin for the rebuild; no throttling of the many sign-ins. */
const ENV = { ESCHAT_DURABILITY: 'full', ESCHAT_ADMINS: 'crash-admin', ESCHAT_LOGIN_FAILURES: '1000' };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real server process killed with SIGKILL at random moments while clients register, ask and
 * accept contacts, create groups and send messages in both dialects over HTTP and over IM
 * WebSocket. After every restart, every acknowledged operation is there, once; every unanswered
 * one is wholly done or wholly absent; retrying a message stores nothing twice. At the end the
 * read models the server built live equal a fresh rebuild, and what a restart builds.
 */
describe('crash recovery', () => {
  let dataDir: string;
  let server: ServerProcess;
  let admin: TestUser;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'eschat-crash-'));
    server = await spawnServer(dataDir, ENV);
    admin = await v1User(server, 'crash-admin');
  });
  after(async () => {
    await server.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function restart(signal: NodeJS.Signals): Promise<void> {
    await server.kill(signal);
    server = await spawnServer(dataDir, ENV);
  }

  it('loses nothing acknowledged, stores nothing twice, leaves nothing half done', async function () {
    const kills = scaled(2, 12);
    this.timeout(scaled(60_000, 600_000));
    const { random } = fuzzRandom('crash');
    const world = new CrashWorld();
    const problems: string[] = [];
    let last: CrashCheck | null = null;
    for (let kill = 1; kill <= kills; kill++) {
      const ackedBefore = world.tally().acked;
      const workload = startWorkload(server, world, random, kill);
      await pause(400 + random.int(1200));
      // A slow machine acknowledges less in that time: kill once a few operations are in, so every kill lands mid-work.
      for (let waited = 0; world.tally().acked - ackedBefore < 5 && waited < 15_000; waited += 100) await pause(100);
      workload.halt();
      await server.kill('SIGKILL');
      await workload.settled();
      server = await spawnServer(dataDir, ENV);
      last = await checkWorld(server.client, world, admin.token);
      problems.push(...last.problems.map((problem) => `after kill ${kill}: ${problem}`));
      problems.push(...(await retryMessages(server, world)).map((problem) => `after kill ${kill}: ${problem}`));
      console.log(
        `      crash ${kill}: ${last.ackedFound}/${last.acked} acknowledged operations found; unanswered: ${last.unansweredDone} done, ${last.unansweredAbsent} absent`,
      );
    }
    const tally = world.tally();
    console.log(
      `      crash: ${kills} kills; ${tally.acked} operations acknowledged, ${tally.unanswered} unanswered, ${tally.refused} refused; ${world.users.length} users, ${world.groups.length} groups, ${world.contacts.length} contact requests, ${world.messages.length} messages (${world.messages.filter((message) => message.path === 'IM WebSocket').length} over IM)`,
    );
    expect(problems).to.deep.equal([]);
    expect(last?.acked, 'operations were acknowledged before the kills').to.be.greaterThan(kills * 5);
    expect(last?.ackedFound).to.equal(last?.acked);
    expect(tally.refused, 'refusals of valid requests').to.equal(0);
    expect(
      world.messages.filter((message) => message.path === 'IM WebSocket' && message.sent === 'acked').length,
      'IM messages acknowledged',
    ).to.be.greaterThan(0);
    // What is checked again below, after the rebuild and the restart, must be found by this pass too.
    expect((await checkWorld(server.client, world, admin.token)).problems, 'after the retries').to.deep.equal([]);

    const live = await snapshotOf(server.client, world);
    expect((await server.client.json('POST', '/v1/admin/projections/rebuild', {}, admin.token)).status).to.equal(202);
    for (let waited = 0; ; waited += 50) {
      const { rebuild } = (await server.client.json('GET', '/v1/admin/projections', undefined, admin.token)).body as {
        rebuild: { finishedAt: string | null; error: string | null };
      };
      if (rebuild.finishedAt !== null) {
        expect(rebuild.error).to.equal(null);
        break;
      }
      expect(waited, 'the rebuild finishes').to.be.lessThan(30_000);
      await pause(50);
    }
    expect(await snapshotOf(server.client, world), 'the read models after a rebuild').to.equal(live);
    expect(errorLines(server.logs), 'errors logged').to.deep.equal([]);
    await restart('SIGKILL');
    expect(await snapshotOf(server.client, world), 'the read models after a restart').to.equal(live);
    console.log(
      `      crash: read models of ${world.signedIn.length} users equal after a rebuild and after a restart (${live.length} bytes of answers)`,
    );
  });
});
