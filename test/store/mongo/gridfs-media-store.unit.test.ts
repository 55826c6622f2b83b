import { expect } from 'chai';
import { GridFSBucket, type Db } from 'mongodb';
import { Readable } from 'node:stream';
import { GridFsMediaStore } from '../../../src/store/mongo/gridfs-media-store.js';
import { MongoReadStore } from '../../../src/store/mongo/mongo-read-store.js';
import { mediaStoreContract } from '../ports/media-store.contract.js';

/** Set ESCHAT_TEST_MONGO to a mongodb:// URI to run the contract against a real server. */
const uri = process.env.ESCHAT_TEST_MONGO;

if (uri) {
  const connected: MongoReadStore[] = [];
  mediaStoreContract('gridfs', async () => {
    const readStore = await MongoReadStore.connect(uri, 'eschat_contract');
    connected.push(readStore);
    return new GridFsMediaStore(readStore.gridFsBucket(`media_${Date.now()}`));
  });
  after(() => Promise.all(connected.map((store) => store.close())));
} else {
  describe('MediaStore contract: gridfs', function () {
    it.skip('skipped: set ESCHAT_TEST_MONGO=mongodb://host:port to run it against a MongoDB server');
  });
}

type Stored = Record<string, unknown>;

/** `{ field: value }` or `{ field: { $eq: value } }`, compared as strings (ObjectIds included). */
function matches(document: Stored, filter: Stored): boolean {
  return Object.entries(filter).every(([field, condition]) => {
    const wanted = typeof condition === 'object' && condition !== null && '$eq' in condition ? condition.$eq : condition;
    return String(document[field]) === String(wanted);
  });
}

/**
 * Just what the driver's GridFS code calls on its two collections, in memory: the real
 * GridFSBucket (upload stream, abort, delete) runs over it without a server. `failInsertAt`
 * makes the n-th chunk insert fail, as a lost primary would.
 */
class FakeCollection {
  readonly documents: Stored[] = [];
  inserts = 0;
  failInsertAt = Infinity;

  async findOne(filter: Stored): Promise<Stored | null> {
    return this.documents.find((document) => matches(document, filter)) ?? null;
  }

  find(filter: Stored) {
    const found = this.documents.filter((document) => matches(document, filter));
    return { next: async () => found[0] ?? null, hasNext: async () => found.length > 0, toArray: async () => found };
  }

  listIndexes() {
    return { toArray: async () => [] };
  }

  async createIndex(): Promise<string> {
    return 'index';
  }

  async insertOne(document: Stored): Promise<{ acknowledged: boolean }> {
    this.inserts += 1;
    if (this.inserts >= this.failInsertAt) throw new Error('connection lost');
    this.documents.push(document);
    return { acknowledged: true };
  }

  async deleteOne(filter: Stored): Promise<{ deletedCount: number }> {
    const at = this.documents.findIndex((document) => matches(document, filter));
    if (at >= 0) this.documents.splice(at, 1);
    return { deletedCount: at >= 0 ? 1 : 0 };
  }

  async deleteMany(filter: Stored): Promise<{ deletedCount: number }> {
    const before = this.documents.length;
    const kept = this.documents.filter((document) => !matches(document, filter));
    this.documents.splice(0, this.documents.length, ...kept);
    return { deletedCount: before - kept.length };
  }
}

describe("GridFsMediaStore over the driver's GridFSBucket (collections in memory)", () => {
  let files: FakeCollection;
  let chunks: FakeCollection;
  let media: GridFsMediaStore;

  beforeEach(() => {
    files = new FakeCollection();
    chunks = new FakeCollection();
    const db = { collection: (name: string) => (name.endsWith('.files') ? files : chunks) };
    // A test double of the driver's Db: only collection() is used by GridFSBucket.
    media = new GridFsMediaStore(new GridFSBucket(db as unknown as Db, { bucketName: 'media', chunkSizeBytes: 4 }));
  });

  it('stores a file in chunks, and deletes it with its chunks', async () => {
    const stored = await media.put(Buffer.from('0123456789'));
    expect(stored.size).to.equal(10);
    expect(chunks.documents).to.have.length(3);
    await media.delete(stored.id);
    expect(files.documents).to.have.length(0);
    expect(chunks.documents).to.have.length(0);
  });

  it('forgets an unknown id quietly, in one call to the driver (no check first)', async () => {
    await media.delete('0123456789abcdef01234567');
    const stored = await media.put(Buffer.from('abc'));
    await media.delete(stored.id);
    await media.delete(stored.id);
    expect(files.documents).to.have.length(0);
  });

  it('leaves no chunk behind when the last chunk fails to be written, after the stream ended', async () => {
    chunks.failInsertAt = 3; // the remnant, written in _final: abort() then throws "already completed"
    const failed = await media.put(Readable.from([Buffer.from('0123456789')])).then(
      () => null,
      (error: unknown) => error,
    );
    expect((failed as Error).message).to.equal('connection lost');
    expect(chunks.inserts).to.equal(3);
    expect(chunks.documents, 'chunks left behind').to.have.length(0);
    expect(files.documents).to.have.length(0);
  });
});
