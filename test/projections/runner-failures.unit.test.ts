import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../../src/events/recorded-event.js';
import { projections } from '../../src/projections/all-projections.js';
import { CHECKPOINTS, ProjectionRunner, type Checkpoint } from '../../src/projections/runner.js';
import { buildFromScratch } from '../../src/projections/scratch-build.js';
import { MemoryReadStore } from '../../src/store/memory/memory-read-store.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import type { Collection, Document, FencedBatch, ReadStore } from '../../src/store/ports/read-store.js';
import { isTransient } from '../../src/store/ports/transient-error.js';
import { SqliteReadStore } from '../../src/store/sqlite/sqlite-read-store.js';
import { readModelSnapshot } from '../support/read-model-snapshot.js';
import { meta, tempEventStore } from '../support/stores.js';

/** A read store whose next `failures` fenced commits throw `error`, applying nothing. */
class FailingReadStore implements ReadStore {
  failures = 0;
  attempts = 0;
  constructor(
    private readonly inner: ReadStore,
    private readonly error: () => Error,
  ) {}

  collection<T extends Document = Document>(name: string): Collection<T> {
    return this.inner.collection<T>(name);
  }

  commitFenced(batch: FencedBatch): Promise<boolean> {
    if (batch.fences === CHECKPOINTS && batch.writes.length > 0) {
      this.attempts += 1;
      if (this.failures > 0) {
        this.failures -= 1;
        return Promise.reject(this.error());
      }
    }
    return this.inner.commitFenced(batch);
  }

  listCollections(): Promise<string[]> {
    return this.inner.listCollections();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function sqliteBusy(): Error {
  return Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
}

function mongoTransient(): Error {
  return Object.assign(new Error('not primary'), { name: 'MongoServerError', errorLabels: ['TransientTransactionError'] });
}

function user(id: number): NewEvent {
  const data = { userId: id, name: `u${id}`, login: `u${id}`, phone: null, passwordHash: 'x', avatar: '' };
  return { type: 'UserRegistered', data, metadata: meta };
}

describe('transient errors', () => {
  it('are MongoDB errors labelled transient or retryable, its network errors, and SQLITE_BUSY; nothing else', () => {
    expect(isTransient(sqliteBusy())).to.equal(true);
    expect(isTransient(Object.assign(new Error('x'), { code: 'SQLITE_BUSY_SNAPSHOT' }))).to.equal(true);
    expect(isTransient(mongoTransient())).to.equal(true);
    expect(isTransient(Object.assign(new Error('x'), { errorLabels: ['RetryableWriteError'] }))).to.equal(true);
    expect(isTransient(Object.assign(new Error('x'), { name: 'MongoNetworkError' }))).to.equal(true);
    expect(isTransient(new Error('wrapped', { cause: sqliteBusy() }))).to.equal(true);
    expect(isTransient(Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT' }))).to.equal(false);
    expect(isTransient(Object.assign(new Error('dup'), { name: 'MongoServerError', code: 11000 }))).to.equal(false);
    expect(isTransient(new Error('boom'))).to.equal(false);
  });
});

describe('ProjectionRunner under read store failures', () => {
  let log: EventStore;
  beforeEach(async () => {
    log = await tempEventStore();
  });
  afterEach(() => log.close());

  for (const [label, error] of [
    ['SQLITE_BUSY', sqliteBusy],
    ['a transient MongoDB error', mongoTransient],
  ] as const) {
    it(`retries a batch that fails on ${label} without advancing, then ends equal to a build from the log`, async () => {
      const store = new FailingReadStore(new MemoryReadStore(), error);
      const runner = new ProjectionRunner(log, store, projections, { refreshMs: 0, retryMs: { initial: 50, max: 100 } });
      await runner.start();
      store.failures = 4;
      await log.append('user-1', [user(1)]);
      await log.append('user-2', [user(2)]);
      const head = await log.headPosition();
      // While retrying, the checkpoint has not moved and the status says why.
      for (let waited = 0; store.attempts < 2 && waited < 5000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
      const retrying = (await runner.status()).find((status) => status.name === 'users');
      expect(retrying).to.include({ state: 'retrying', error: error().message });
      expect((await store.collection<Checkpoint>(CHECKPOINTS).findOne({ _id: 'users' }))?.position).to.equal(0);
      expect(await runner.waitFor(head, 5000)).to.equal(true);
      expect(store.attempts).to.be.at.least(5);
      const users = (await runner.status()).find((status) => status.name === 'users');
      expect(users).to.include({ state: 'live' });
      expect(users?.error).to.equal(undefined);
      const built = await buildFromScratch(log, new MemoryReadStore(), projections);
      expect(await readModelSnapshot(runner, projections)).to.deep.equal(await readModelSnapshot(built.runner, projections));
      runner.stop();
    });
  }

  it('marks a projection failed on an error retrying cannot help, and says why', async () => {
    const store = new FailingReadStore(new MemoryReadStore(), () => new Error('document too large'));
    const failed: string[] = [];
    const runner = new ProjectionRunner(log, store, projections, { refreshMs: 0, onError: (name) => failed.push(name) });
    await runner.start();
    store.failures = 1;
    await log.append('user-1', [user(1)]);
    expect(await runner.waitFor(await log.headPosition(), 5000)).to.equal(true);
    expect(store.attempts).to.equal(1);
    expect((await runner.status()).find((status) => status.name === 'users')).to.include({ state: 'failed', error: 'document too large' });
    expect(failed).to.deep.equal(['users']);
    runner.stop();
  });
});

describe('checkpoints and the log they belong to', () => {
  it('a read store built on one log is rebuilt, not resumed, on another, and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eschat-two-logs-'));
    const first = await tempEventStore();
    const second = await tempEventStore();
    try {
      for (let id = 1; id <= 3; id++) await first.append(`user-${id}`, [user(id)]);
      await second.append('user-7', [user(7)]);
      const readStore = new SqliteReadStore(join(dir, 'read-models.db'));
      const onFirst = new ProjectionRunner(first, readStore, projections, { refreshMs: 0 });
      await onFirst.start();
      await onFirst.close();

      const notices: string[] = [];
      const onSecond = new ProjectionRunner(second, readStore, projections, { refreshMs: 0, onNotice: (message) => notices.push(message) });
      await onSecond.start();
      expect(notices.some((notice) => /users is rebuilt: it was built on another log/.test(notice))).to.equal(true);
      const built = await buildFromScratch(second, new MemoryReadStore(), projections);
      expect(await readModelSnapshot(onSecond, projections)).to.deep.equal(await readModelSnapshot(built.runner, projections));
      const saved = await readStore.collection<Checkpoint>(CHECKPOINTS).findOne({ _id: 'users' });
      const [firstEvent] = await second.readAll({ maxCount: 1 });
      expect(saved?.log).to.equal(`${firstEvent?.id}@${firstEvent?.position}`);
      await onSecond.close();
      await readStore.close();
    } finally {
      await first.close();
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
