import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { jsonLines, runCli } from '../support/cli.js';
import { preparedData, type PreparedData } from '../support/prepared-data.js';
import { startTestServer } from '../support/test-server.js';

async function readLog(file: string): Promise<StoredEvent[]> {
  const store = SqliteEventStore.open({ file, durability: 'normal' });
  try {
    return await store.readAll();
  } finally {
    await store.close();
  }
}

describe('eschat events copy', function () {
  this.timeout(60_000);
  let data: PreparedData;
  before(async () => {
    data = await preparedData();
  });
  after(() => data.remove());

  it('copies the embedded log into another store: same events, same order, same ids; a second run copies nothing', async () => {
    const first = await runCli(data.dataDir, ['events', 'copy', '--to', 'sqlite:copy/events.db']);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stderr).to.include(
      `eschat: copied ${data.workload.head} events, 0 already in the target, up to position ${data.workload.head}`,
    );
    const source = await readLog(join(data.dataDir, 'events.db'));
    const copy = await readLog(join(data.dataDir, 'copy', 'events.db'));
    const essence = (events: StoredEvent[]) =>
      events.map(({ id, stream, revision, type, data, metadata }) => ({ id, stream, revision, type, data, metadata }));
    expect(copy.length).to.equal(data.workload.head);
    expect(essence(copy)).to.deep.equal(essence(source));

    const second = await runCli(data.dataDir, ['events', 'copy', '--to', 'sqlite:copy/events.db', '--json']);
    expect(second.code, second.stderr).to.equal(0);
    expect(jsonLines(second)).to.deep.equal([{ copied: 0, skipped: data.workload.head, position: data.workload.head }]);
    expect((await readLog(join(data.dataDir, 'copy', 'events.db'))).length).to.equal(data.workload.head);
  });

  it('gives a log a server runs on: the sessions of the original sign in', async () => {
    await runCli(data.dataDir, ['events', 'copy', '--to', 'sqlite:moved/events.db']);
    const fresh = mkdtempSync(join(tmpdir(), 'eschat-moved-'));
    const t = await startTestServer({ ESCHAT_EVENTSTORE: `sqlite:${join(data.dataDir, 'moved', 'events.db')}` }, fresh);
    try {
      const user = data.workload.users[0]!;
      const info = await t.client.json('GET', '/v1/info', undefined, user.token);
      expect(info.status).to.equal(200);
      expect((info.body as { id: number }).id).to.equal(user.id);
    } finally {
      await t.stop();
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('refuses a target it cannot copy to', async () => {
    const itself = await runCli(data.dataDir, ['events', 'copy', '--to', `sqlite:${join(data.dataDir, 'events.db')}`]);
    expect([itself.code, itself.stderr.trim()]).to.deep.equal([2, 'eschat: --to names the log being copied']);
    const unknown = await runCli(data.dataDir, ['events', 'copy', '--to', 'postgres://db/eschat']);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include('--to: expected esdb://..., kurrentdb://... or sqlite:<file>');
  });
});
