import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { WalSync } from '../../../src/store/sqlite/wal-sync.js';

describe('WalSync', function () {
  let dir: string;
  let db: Database.Database;
  let sync: WalSync;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eschat-wal-sync-'));
    const file = path.join(dir, 'events.db');
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (n INTEGER)');
    sync = WalSync.open(file);
  });

  afterEach(function () {
    sync.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const released = (log: string[], name: string) => (error: Error | null) => log.push(error ? `${name} failed` : name);

  it('releases each waiter once, after a sync, in the order they came', async function () {
    const log: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      db.prepare('INSERT INTO t VALUES (1)').run();
      sync.afterCommit(released(log, name));
    }
    // The first sync started with `a` alone; `b` and `c` wait for the next one.
    expect(log).to.deep.equal([]);
    await waitUntil(() => log.length === 3);
    expect(log).to.deep.equal(['a', 'b', 'c']);
    expect(sync.failed).to.equal(null);
  });

  it('releases every waiter when closed, and not again when the running sync ends', async function () {
    const log: string[] = [];
    sync.afterCommit(released(log, 'in flight'));
    sync.afterCommit(released(log, 'waiting'));
    sync.close();
    expect(log).to.deep.equal(['in flight', 'waiting']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(log).to.deep.equal(['in flight', 'waiting']);
  });

  it('fails the waiting commits, and every later one, when its thread dies', async function () {
    const broken = WalSync.open(path.join(dir, 'events.db'), new URL('./fixtures/exiting-thread.js', import.meta.url));
    const log: string[] = [];
    broken.afterCommit(released(log, 'first'));
    await waitUntil(() => log.length === 1);
    broken.afterCommit(released(log, 'later'));
    expect(log).to.deep.equal(['first failed', 'later failed']);
    expect(broken.failed?.message).to.match(/exited with code 3/);
    broken.close();
  });

  it('cannot open without the log beside the database', function () {
    expect(() => WalSync.open(path.join(dir, 'missing.db'))).to.throw(/ENOENT/);
  });
});

async function waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}
