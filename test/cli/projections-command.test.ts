import { expect } from 'chai';
import { join } from 'node:path';
import { projections } from '../../src/projections/all-projections.js';
import { rebuildInPlace } from '../../src/cli/projections-command.js';
import { savedStatus } from '../../src/projections/saved-status.js';
import { buildFromScratch } from '../../src/projections/scratch-build.js';
import { MemoryReadStore } from '../../src/store/memory/memory-read-store.js';
import { openEventStore } from '../../src/store/open-stores.js';
import { jsonLines, runCli } from '../support/cli.js';
import { preparedData, type PreparedData } from '../support/prepared-data.js';
import { readModelSnapshot } from '../support/read-model-snapshot.js';

describe('eschat projections', function () {
  this.timeout(60_000);
  let data: PreparedData;
  before(async () => {
    data = await preparedData();
  });
  after(() => data.remove());

  const names = projections.map((projection) => projection.name);

  it('status: with the embedded default, reads the checkpoints a stopped server left in read-models.db, all at the head', async () => {
    const run = await runCli(data.dataDir, ['projections', 'status', '--json']);
    expect(run.code, run.stderr).to.equal(0);
    const lines = jsonLines(run);
    expect(lines.map((line) => line['name'])).to.deep.equal(names);
    for (const line of lines) {
      expect(line).to.include({ state: 'current', head: data.workload.head, position: data.workload.head, lag: 0, generation: 1 });
    }
  });

  it('status: with read models in the memory of the server, says they are there and how far the log is', async () => {
    const run = await runCli(data.dataDir, ['projections', 'status', '--json', '--read-store', 'memory']);
    expect(run.code, run.stderr).to.equal(0);
    for (const line of jsonLines(run)) expect(line).to.include({ state: 'in server memory', head: data.workload.head, generation: null });
  });

  it('rebuild --json: every projection from the log in this process, counted', async () => {
    const run = await runCli(data.dataDir, ['projections', 'rebuild', '--json']);
    expect(run.code, run.stderr).to.equal(0);
    const lines = jsonLines(run);
    const documents = Object.fromEntries(
      lines.filter((line) => line['type'] === 'Projection').map((line) => [line['name'], line['documents']]),
    );
    expect(Object.keys(documents)).to.deep.equal(names);
    expect(documents['messages']).to.deep.equal({ messages: data.workload.messages.length, message_changes: 0 });
    expect(documents['users']).to.deep.equal({ users: data.workload.users.length });
    expect(documents['rooms']).to.deep.equal({ rooms: data.workload.rooms.size });
    expect(lines.at(-1)).to.include({ type: 'Rebuild', events: data.workload.head, head: data.workload.head });
  });

  it('rebuild <name>: one projection, as a table', async () => {
    const run = await runCli(data.dataDir, ['projections', 'rebuild', 'messages']);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/│ messages\s+│ 2\s+│ messages: 300, message_changes: 0\s+│/);
    expect(run.stdout).to.not.include('users');
    expect(run.stdout).to.match(new RegExp(`Rebuilt from \\d+ events \\(log head ${data.workload.head}\\)`));
  });

  it('refuses an unknown projection, and an in-place rebuild of read models it cannot reach', async () => {
    const unknown = await runCli(data.dataDir, ['projections', 'rebuild', 'nope']);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include(names.join(', '));
    const inPlace = await runCli(data.dataDir, ['projections', 'rebuild', '--in-place', '--read-store', 'memory']);
    expect(inPlace.code).to.equal(2);
    expect(inPlace.stderr).to.match(/--in-place needs read models on disk or in MongoDB/);
  });

  it('rebuild --in-place replaces shared read models with a new generation equal to a fresh build', async () => {
    // What --in-place does to a MongoDB read store, done here to a shared store the test can see.
    const store = await openEventStore({
      eventStore: `sqlite:${join(data.dataDir, 'events.db')}`,
      durability: 'normal',
      readStore: 'memory',
      dataDir: data.dataDir,
    });
    const shared = new MemoryReadStore();
    try {
      let reported = 0;
      await rebuildInPlace(store, shared, undefined, (position) => (reported = position));
      expect(reported).to.equal(data.workload.head);
      const statuses = await savedStatus(store, shared, projections);
      for (const status of statuses)
        expect(status, status.name).to.include({ state: 'current', generation: 2, position: data.workload.head, lag: 0 });
      const fresh = await buildFromScratch(store, new MemoryReadStore(), projections);
      const served = { collection: (projection: string, name: string) => shared.collection(`${projection}.${name}.g2`) };
      expect(await readModelSnapshot(served, projections)).to.deep.equal(await readModelSnapshot(fresh.runner, projections));
    } finally {
      await store.close();
    }
  });
});
