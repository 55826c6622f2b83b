import { expect } from 'chai';
import { projections } from '../../src/projections/all-projections.js';
import { buildFromScratch } from '../../src/projections/scratch-build.js';
import type { ProjectionStatus } from '../../src/projections/runner.js';
import type { RebuildState } from '../../src/projections/rebuild-job.js';
import { MemoryReadStore } from '../../src/store/memory/memory-read-store.js';
import { readModelSnapshot } from '../support/read-model-snapshot.js';
import { v1Send } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { runWorkload, type Workload } from '../support/workload.js';

/**
 * Replay as a product: after a generated workload through a running server, every read model
 * rebuilt from the log equals the one built live, document for document, in every collection
 * of every projection — whether built from scratch apart, or rebuilt in the server over HTTP
 * while people keep writing.
 */
describe('replaying the log of a generated workload', function () {
  this.timeout(120_000);
  let t: TestServer;
  let workload: Workload;

  before(async () => {
    t = await startTestServer({ ESCHAT_ADMINS: 'W00' });
    workload = await runWorkload(t, { users: 20, contactOperations: 30, groups: 5, changesPerGroup: 6, messages: 3000 });
  });
  after(() => t.stop());

  async function scratchSnapshot() {
    const build = await buildFromScratch(t.server.store, new MemoryReadStore(), projections);
    return { build, snapshot: await readModelSnapshot(build.runner, projections) };
  }

  it('ran the workload it was asked for', async () => {
    const live = await readModelSnapshot(t.server.runner, projections);
    expect(live['users.users']).to.have.length(20);
    expect(live['messages.messages']).to.have.length(3000);
    expect(workload.contactOperations).to.equal(30);
    expect(live['rooms.rooms']!.filter((room) => room['kind'] === 'group')).to.have.length(5);
    expect(live['rooms.rooms']!.filter((room) => room['deleted'] === true)).to.have.length(1);
    expect(
      live['notifications.memberships']!.some((membership) => membership['leftAt'] !== null),
      'someone left or was removed',
    ).to.equal(true);
  });

  it('builds every projection from scratch to the documents built live', async () => {
    const live = await readModelSnapshot(t.server.runner, projections);
    const { build, snapshot } = await scratchSnapshot();
    expect(Object.keys(snapshot)).to.have.length(projections.flatMap((projection) => projection.collections).length);
    for (const [collection, documents] of Object.entries(live)) expect(snapshot[collection], collection).to.deep.equal(documents);
    expect(build.events).to.equal(workload.head);
  });

  it('rebuilds a running server over HTTP beside the served models, while people write, to the same documents', async () => {
    const admin = workload.users[0]!;
    expect(admin.handle).to.equal('w00');
    const before = (
      (await t.client.json('GET', '/v1/admin/projections', undefined, admin.token)).body as { projections: ProjectionStatus[] }
    ).projections;
    const started = await t.client.json('POST', '/v1/admin/projections/rebuild', {}, admin.token);
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    // Writes go on while the rebuild runs, in a direct room: its two members never change.
    const [roomId, [direct]] = [...workload.rooms].find(([, snapshots]) => snapshots[0]!.kind === 'direct')!;
    const sender = workload.users.find((user) => user.id === direct!.members[0])!;
    for (let i = 0; i < 20; i++) expect((await v1Send(t, sender, roomId, `during rebuild ${i}`)).status).to.equal(200);
    let state: { projections: ProjectionStatus[]; rebuild: RebuildState };
    do {
      await new Promise((resolve) => setTimeout(resolve, 20));
      state = (await t.client.json('GET', '/v1/admin/projections', undefined, admin.token)).body as typeof state;
    } while (state.rebuild.finishedAt === null);
    expect(state.rebuild.error).to.equal(null);
    expect(state.rebuild.projections).to.deep.equal(projections.map((projection) => projection.name));
    for (const status of state.projections) {
      const previous = before.find((each) => each.name === status.name)!;
      expect(status.generation, status.name).to.equal(previous.generation + 1);
      expect(status.state, status.name).to.equal('live');
    }
    expect(await t.server.runner.waitFor(await t.server.store.headPosition())).to.equal(true);
    const served = await readModelSnapshot(t.server.runner, projections);
    const { snapshot } = await scratchSnapshot();
    expect(served['messages.messages']).to.have.length(3020);
    for (const [collection, documents] of Object.entries(snapshot)) expect(served[collection], collection).to.deep.equal(documents);
  });
});
