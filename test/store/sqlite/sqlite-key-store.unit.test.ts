import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteKeyStore } from '../../../src/store/sqlite/sqlite-key-store.js';
import { keyStoreContract } from '../ports/key-store.contract.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'eschat-keys-'));

keyStoreContract('sqlite', async () => new SqliteKeyStore(join(tempDir(), 'keys.db')));

describe('SqliteKeyStore', () => {
  it('leaves no byte of an erased key in its files (database, WAL), even while open', async () => {
    const dir = tempDir();
    const store = new SqliteKeyStore(join(dir, 'keys.db'));
    const wrapped = Buffer.from('wrapped-key-that-must-vanish-0123456789abcdef');
    const kept = Buffer.from('wrapped-key-that-stays-0123456789abcdef');
    await store.create(7, wrapped);
    await store.create(8, kept);
    const scan = () => Buffer.concat(readdirSync(dir).map((file) => readFileSync(join(dir, file))));
    expect(scan().includes(wrapped), 'the key is on disk before').to.equal(true);
    await store.erase(7);
    expect(scan().includes(wrapped), 'no trace of the erased key').to.equal(false);
    expect(scan().includes(kept), 'the other key stays').to.equal(true);
    await store.close();
    expect(scan().includes(wrapped)).to.equal(false);
  });

  // It synced on the event loop (synchronous=FULL): ~2 ms per registration during which nothing else ran.
  it('resolves a new key only once its sync thread has put it on disk, and refuses it when that thread fails', async () => {
    const dir = tempDir();
    const store = new SqliteKeyStore(join(dir, 'keys.db'), new URL('./fixtures/exiting-thread.js', import.meta.url));
    try {
      let failure: unknown;
      await store.create(9, Buffer.from('wrapped')).catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(Error);
    } finally {
      await store.close();
    }
  });
});
