import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import { openEventStore, openPersonKeys } from '../../src/store/open-stores.js';
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

describe('eschat events copy --encrypt', function () {
  this.timeout(60_000);

  it('writes a copy of an older log with its personal data sealed, erased people as placeholders, claims still held', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eschat-legacy-'));
    try {
      // A log as written before encryption: everything in clear, one person erased since (key store tombstone).
      const legacy = SqliteEventStore.open({ file: join(dir, 'events.db'), durability: 'normal' });
      const meta = { correlationId: 'legacy', at: '2026-01-01T00:00:00.000Z' };
      const person = (userId: number, name: string, phone: string) => ({
        type: 'UserRegistered',
        data: { userId, name, login: null, phone, passwordHash: 'argon2id$legacy', avatar: '' },
        metadata: meta,
      });
      const said = (sender: number, text: string) => ({
        type: 'MessageSent',
        data: { roomId: 1, sender, device: 'd', clientId: null, kind: 'text', text, mediaId: null },
        metadata: meta,
      });
      await legacy.append('phone-+15551112222', [
        { type: 'ValueClaimed', data: { value: '+15551112222', userId: 1, claimedAt: 1 }, metadata: meta },
      ]);
      await legacy.append('user-1', [person(1, 'Legacy Larry', '+15551112222')]);
      await legacy.append('user-2', [person(2, 'Olga Oldtimer', '+15553334444')]);
      await legacy.append('messages-1-20260101', [said(1, 'larry-legacy-text'), said(2, 'olga-legacy-text')]);
      await legacy.append('user-2', [{ type: 'UserErased', data: { userId: 2, by: null }, metadata: meta }]);
      await legacy.close();
      const keys = await openPersonKeys({ readStore: 'sqlite', dataDir: dir });
      await keys.erase(2);
      await keys.store.close();

      const run = await runCli(dir, ['events', 'copy', '--encrypt', '--to', 'sqlite:protected/events.db']);
      expect(run.code, run.stderr).to.equal(0);
      const target = join(dir, 'protected');
      const raw = readdirSync(target).map((file) => readFileSync(join(target, file)).toString('latin1'));
      for (const clear of ['Legacy Larry', '+15551112222', 'larry-legacy-text', 'Olga', '+15553334444', 'olga-legacy-text']) {
        expect(
          raw.some((bytes) => bytes.includes(clear)),
          `${clear} in the protected copy`,
        ).to.equal(false);
      }
      const copy = await openEventStore({
        eventStore: `sqlite:${join(target, 'events.db')}`,
        durability: 'normal',
        readStore: 'sqlite',
        dataDir: target,
      });
      try {
        const events = await copy.readAll();
        expect(events.find((event) => event.stream === 'user-1')?.data).to.include({ name: 'Legacy Larry', phone: '+15551112222' });
        expect(events.find((event) => event.stream === 'user-2')?.data).to.include({ name: 'erased user', phone: null });
        const texts = events.filter((event) => event.type === 'MessageSent').map((event) => (event.data as { text: string }).text);
        expect(texts).to.deep.equal(['larry-legacy-text', '[erased]']);
        const [claim] = await copy.readStream('phone-+15551112222');
        expect(claim?.data, 'the claim is found by its value, under its pseudonym').to.include({ userId: 1, value: '+15551112222' });
      } finally {
        await copy.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
