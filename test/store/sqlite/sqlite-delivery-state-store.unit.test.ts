import Database from 'better-sqlite3';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MemoryReadStore } from '../../../src/store/memory/memory-read-store.js';
import { ReadStoreDeliveryStateStore } from '../../../src/store/mongo/read-store-delivery-state-store.js';
import type { DeliveryStateStore, DeviceCursor } from '../../../src/store/ports/delivery-state-store.js';
import { SqliteDeliveryStateStore } from '../../../src/store/sqlite/sqlite-delivery-state-store.js';

const require = createRequire(import.meta.url);

const legacy: DeviceCursor = {
  userId: 7,
  device: 'android',
  ackedUpTo: 40,
  unacked: [3, 12],
  away: [
    { after: 5, upTo: 9 },
    { after: 20, upTo: 40 },
  ],
};
const floor: DeviceCursor = { userId: 7, device: '', ackedUpTo: 4, unacked: [], served: 30 };

async function roundTrip(store: DeliveryStateStore): Promise<void> {
  await store.save([legacy, floor]);
  const loaded = await store.load(7);
  const byDevice = new Map(loaded.map((cursor) => [cursor.device, cursor]));
  expect(byDevice.get('android')).to.deep.include({ ackedUpTo: 40, unacked: [3, 12], away: legacy.away });
  expect(byDevice.get('')).to.deep.include({ ackedUpTo: 4, served: 30 });
  await store.save([
    { ...floor, ackedUpTo: 30, served: undefined },
    { ...legacy, away: undefined },
  ]);
  const again = new Map((await store.load(7)).map((cursor) => [cursor.device, cursor]));
  expect(again.get('')?.served).to.equal(undefined);
  expect(again.get('android')?.away).to.equal(undefined);
}

describe('delivery cursor stores keep the away ranges and the served mark', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eschat-cursors-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite', async () => {
    const store = new SqliteDeliveryStateStore(join(dir, 'delivery.db'));
    await roundTrip(store);
    await store.close();
  });

  it('SQLite, on a file written before they existed: its rows are kept', async () => {
    const file = join(dir, 'delivery.db');
    const old = new Database(file);
    old.exec(
      'CREATE TABLE device_cursors (user_id INTEGER NOT NULL, device TEXT NOT NULL, acked_up_to INTEGER NOT NULL, unacked TEXT NOT NULL, PRIMARY KEY (user_id, device))',
    );
    old.prepare('INSERT INTO device_cursors VALUES (7, ?, 11, ?)').run('phone', '[2]');
    old.close();
    const store = new SqliteDeliveryStateStore(file);
    expect(await store.load(7)).to.deep.equal([
      { userId: 7, device: 'phone', ackedUpTo: 11, unacked: [2], away: undefined, served: undefined },
    ]);
    await roundTrip(store);
    await store.close();
  });

  it('SQLite, on an older file that another process is bringing up to date at the same moment', async () => {
    const file = join(dir, 'delivery.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    old.exec(
      'CREATE TABLE device_cursors (user_id INTEGER NOT NULL, device TEXT NOT NULL, acked_up_to INTEGER NOT NULL, unacked TEXT NOT NULL, PRIMARY KEY (user_id, device))',
    );
    old.close();
    // The other process, on a thread: it holds the write lock while it adds a column, and commits 300 ms later.
    const other = new Worker(
      `const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
       const db = new Database(${JSON.stringify(file)});
       db.exec('BEGIN IMMEDIATE; ALTER TABLE device_cursors ADD COLUMN away TEXT');
       require('node:worker_threads').parentPort.postMessage('locked');
       setTimeout(() => { db.exec('COMMIT'); db.close(); }, 300);`,
      { eval: true },
    );
    await once(other, 'message');
    // Reading the columns before the other commits, then adding the same one, failed: "duplicate column name: away".
    const store = new SqliteDeliveryStateStore(file);
    await roundTrip(store);
    await store.close();
    await once(other, 'exit');
  });

  it('a read store collection (MongoDB in production)', async () => {
    await roundTrip(await ReadStoreDeliveryStateStore.open(new MemoryReadStore()));
  });
});

/** Two processes save one device's cursor, the second from an older view of it. */
async function neverBackwards(first: DeliveryStateStore, second: DeliveryStateStore): Promise<void> {
  const device = { userId: 9, device: 'phone' };
  await first.save([{ ...device, ackedUpTo: 50, unacked: [20, 45] }]);
  // Behind: it saw acks up to 30 only, with 20 and 25 unacknowledged there.
  await second.save([{ ...device, ackedUpTo: 30, unacked: [20, 25] }]);
  expect((await first.load(9))[0], 'the stale save moves nothing back, and 25 was acknowledged where 50 was').to.deep.include({
    ackedUpTo: 50,
    unacked: [20, 45],
  });
  // Further along elsewhere: 45 acknowledged, 55 sent and not.
  await second.save([{ ...device, ackedUpTo: 60, unacked: [20, 55] }]);
  expect((await first.load(9))[0], 'a hole is kept until some process saw its ack').to.deep.include({ ackedUpTo: 60, unacked: [20, 55] });
}

describe('delivery cursor stores merge concurrent saves: a cursor never moves back, no hole is lost', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eschat-cursor-merge-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite, two connections to one file as two processes have', async () => {
    const first = new SqliteDeliveryStateStore(join(dir, 'delivery.db'));
    const second = new SqliteDeliveryStateStore(join(dir, 'delivery.db'));
    await neverBackwards(first, second);
    await Promise.all([first.close(), second.close()]);
  });

  it('a read store collection (MongoDB in production), shared by two stores', async () => {
    const shared = new MemoryReadStore();
    await neverBackwards(await ReadStoreDeliveryStateStore.open(shared), await ReadStoreDeliveryStateStore.open(shared));
  });
});
