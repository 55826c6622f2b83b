import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../../src/events/recorded-event.js';
import { hashToken } from '../../src/events/token.js';
import { projections } from '../../src/projections/all-projections.js';
import { CHECKPOINTS, ProjectionRunner, type Checkpoint } from '../../src/projections/runner.js';
import { buildFromScratch } from '../../src/projections/scratch-build.js';
import { MemoryReadStore } from '../../src/store/memory/memory-read-store.js';
import { openEventStore } from '../../src/store/open-stores.js';
import { SqliteReadStore } from '../../src/store/sqlite/sqlite-read-store.js';
import { checkWorld } from '../support/crash-checks.js';
import { startWorkload } from '../support/crash-workload.js';
import { CrashWorld } from '../support/crash-world.js';
import { fuzzRandom } from '../support/fuzz-seed.js';
import { readModelSnapshot } from '../support/read-model-snapshot.js';
import { spawnServer, type ServerProcess } from '../support/spawn-server.js';
import { meta } from '../support/stores.js';
import { v1User } from '../support/users.js';

const ENV = { ESCHAT_DURABILITY: 'full', ESCHAT_ADMINS: 'crash-admin', ESCHAT_LOGIN_FAILURES: '1000' };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The read models in `<dataDir>/read-models.db` after a stopped server, resumed as a start
 * resumes them (from their checkpoints, caught up with the log), against a build of every
 * projection from the first event in memory: equal, document for document.
 */
async function expectReadModelsEqualARebuild(dataDir: string): Promise<void> {
  const log = await openEventStore({
    eventStore: `sqlite:${join(dataDir, 'events.db')}`,
    durability: 'normal',
    readStore: 'sqlite',
    dataDir,
  });
  const file = new SqliteReadStore(join(dataDir, 'read-models.db'));
  try {
    const head = await log.headPosition();
    const resumed = new ProjectionRunner(log, file, projections);
    await resumed.start();
    resumed.stop();
    expect(resumed.startedFrom, 'the stopped server left its checkpoints at the head').to.equal(head);
    const built = await buildFromScratch(log, new MemoryReadStore(), projections);
    const expected = await readModelSnapshot(built.runner, projections);
    const found = await readModelSnapshot(resumed, projections);
    for (const [collection, documents] of Object.entries(expected)) {
      expect(found[collection]?.length, `${collection}: documents`).to.equal(documents.length);
      expect(found[collection], collection).to.deep.equal(documents);
    }
  } finally {
    await file.close();
    await log.close();
  }
}

/** Positions of the checkpoints in the file, read as another process would. */
async function checkpointsIn(dataDir: string): Promise<Checkpoint[]> {
  const file = new SqliteReadStore(join(dataDir, 'read-models.db'));
  try {
    return await file.collection<Checkpoint>(CHECKPOINTS).find({});
  } finally {
    await file.close();
  }
}

describe('crash safety of the read models on disk', function () {
  this.timeout(180_000);
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeEach(function () {
    dataDir = mkdtempSync(join(tmpdir(), 'eschat-crash-read-'));
  });
  afterEach(async function () {
    await server?.kill('SIGKILL');
    server = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGKILL during a catch-up: the restart resumes from a checkpoint and ends equal to a rebuild', async function () {
    // A log written before any server ran: the first start catches every projection up from 0.
    const log = await openEventStore({
      eventStore: `sqlite:${join(dataDir, 'events.db')}`,
      durability: 'normal',
      readStore: 'sqlite',
      dataDir,
    });
    const user = { userId: 1, name: 'Ann', login: 'ann', phone: null, passwordHash: 'x', avatar: '' };
    await log.append('user-1', [{ type: 'UserRegistered', data: user, metadata: meta }]);
    const started = { sessionId: 's1', userId: 1, tokenHash: hashToken('t1'), device: 'd', dialect: 'v1', address: null };
    await log.append('session-s1', [{ type: 'SessionStarted', data: started, metadata: meta }]);
    for (let page = 0; page < 60; page++) {
      const events: NewEvent[] = Array.from({ length: 1000 }, (_, i) => ({
        type: 'MessageSent',
        data: { roomId: 1 + (i % 7), sender: 1, device: 'd', clientId: `m${page}-${i}`, kind: 'text', text: `text ${i}`, mediaId: null },
        metadata: meta,
      }));
      await log.append('messages-1-20260101', events);
      if (page === 30) {
        await log.append('session-s1', [{ type: 'SessionEnded', data: { sessionId: 's1', userId: 1, reason: 'logout' }, metadata: meta }]);
      }
    }
    const head = await log.headPosition();
    await log.close();

    let booting: ChildProcess | undefined;
    spawnServer(dataDir, ENV, (child) => (booting = child)).catch(() => undefined); // killed before it listens
    let killedAt: number | undefined;
    for (let waited = 0; waited < 60_000 && killedAt === undefined; waited += 10) {
      await pause(10);
      const messages = (await checkpointsIn(dataDir).catch(() => [])).find((checkpoint) => checkpoint._id === 'messages');
      if (messages && messages.position > 0) {
        killedAt = messages.position;
        const exited = new Promise((resolve) => booting?.once('exit', resolve));
        booting?.kill('SIGKILL');
        await exited;
      }
    }
    expect(killedAt, 'the catch-up had committed a batch when the server was killed').to.be.a('number');
    expect(killedAt, 'and had not finished').to.be.lessThan(head);

    server = await spawnServer(dataDir, ENV);
    await server.kill('SIGTERM');
    server = undefined;
    await expectReadModelsEqualARebuild(dataDir);
  });

  it('SIGKILL during a live load: every acknowledged message once in its room, the read models equal a rebuild', async function () {
    server = await spawnServer(dataDir, ENV);
    const admin = await v1User(server, 'crash-admin');
    const { random } = fuzzRandom('crash-read-models');
    const world = new CrashWorld();
    for (let kill = 1; kill <= 2; kill++) {
      const workload = startWorkload(server, world, random, kill);
      await pause(800 + random.int(800));
      workload.halt();
      await server.kill('SIGKILL');
      await workload.settled();
      server = await spawnServer(dataDir, ENV);
      const check = await checkWorld(server.client, world, admin.token);
      expect(check.problems, `after kill ${kill}`).to.deep.equal([]);
      expect(check.ackedFound).to.equal(check.acked);
    }
    expect(world.messages.filter((message) => message.sent === 'acked').length, 'messages acknowledged').to.be.greaterThan(0);
    await server.kill('SIGTERM');
    server = undefined;
    await expectReadModelsEqualARebuild(dataDir);
  });
});
