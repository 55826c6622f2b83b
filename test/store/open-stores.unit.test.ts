import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMediaStore } from '../../src/store/fs/fs-media-store.js';
import { GridFsMediaStore } from '../../src/store/mongo/gridfs-media-store.js';
import { MemoryReadStore } from '../../src/store/memory/memory-read-store.js';
import { MongoReadStore } from '../../src/store/mongo/mongo-read-store.js';
import { openDeliveryStateStore, openMediaStore } from '../../src/store/open-stores.js';
import { ReadStoreDeliveryStateStore } from '../../src/store/mongo/read-store-delivery-state-store.js';
import { SqliteDeliveryStateStore } from '../../src/store/sqlite/sqlite-delivery-state-store.js';

/** Set ESCHAT_TEST_MONGO to a mongodb:// URI to check the production choices against a real server. */
const uri = process.env.ESCHAT_TEST_MONGO;

describe('where media and delivery cursors go', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'eschat-open-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('beside the embedded read store: files and a SQLite file in the data directory', async () => {
    const readStore = new MemoryReadStore();
    expect(await openMediaStore({ dataDir }, readStore)).to.be.instanceOf(FsMediaStore);
    const cursors = await openDeliveryStateStore({ dataDir }, readStore);
    expect(cursors).to.be.instanceOf(SqliteDeliveryStateStore);
    await cursors.close();
  });

  it('beside a MongoDB read store: GridFS and a collection, shared by every process', async function () {
    if (!uri) return this.skip();
    const readStore = await MongoReadStore.connect(uri, 'eschat_contract');
    try {
      expect(await openMediaStore({ dataDir }, readStore)).to.be.instanceOf(GridFsMediaStore);
      expect(await openDeliveryStateStore({ dataDir }, readStore)).to.be.instanceOf(ReadStoreDeliveryStateStore);
    } finally {
      await readStore.close();
    }
  });
});
