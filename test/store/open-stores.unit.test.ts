import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsMediaStore } from '../../src/store/fs/fs-media-store.js';
import { GridFsMediaStore } from '../../src/store/mongo/gridfs-media-store.js';
import { MemoryReadStore } from '../../src/store/memory/memory-read-store.js';
import { MongoReadStore } from '../../src/store/mongo/mongo-read-store.js';
import { openDeliveryStateStore, openEventStore, openMediaStore } from '../../src/store/open-stores.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
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

describe('the log as the server opens it', () => {
  it('seals new personal values with the configured cipher: XChaCha20-Poly1305 by default, AES-256-GCM when set', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eschat-open-'));
    try {
      const sealedText = async (sealWith?: 'aes-256-gcm') => {
        const settings = {
          eventStore: `sqlite:${join(dataDir, 'events.db')}`,
          readStore: 'sqlite',
          durability: 'normal' as const,
          dataDir,
        };
        const store = await openEventStore(sealWith === undefined ? settings : { ...settings, sealWith });
        await store.append('messages-1-20260101', [
          {
            type: 'MessageSent',
            data: { roomId: 1, sender: 1, device: 'd', clientId: null, kind: 'text', text: 'hi', mediaId: null },
            metadata: { actor: 1, correlationId: 'c', at: '2026-01-01T00:00:00.000Z' },
          },
        ]);
        await store.close();
        const raw = SqliteEventStore.open({ file: join(dataDir, 'events.db'), durability: 'normal' });
        const last = (await raw.readAll()).at(-1)?.data as { text: { $enc: string } };
        await raw.close();
        return last.text.$enc;
      };
      expect((await sealedText()).startsWith('x:')).to.equal(true);
      expect((await sealedText('aes-256-gcm')).startsWith('x:')).to.equal(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
