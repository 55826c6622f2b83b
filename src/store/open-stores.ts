import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DeliveryStateStore } from './ports/delivery-state-store.js';
import type { EventStore } from './ports/event-store.js';
import { FsMediaStore } from './fs/fs-media-store.js';
import type { MediaStore } from './ports/media-store.js';
import { MemoryReadStore } from './memory/memory-read-store.js';
import type { MongoReadStore } from './mongo/mongo-read-store.js';
import type { ReadStore } from './ports/read-store.js';
import { ReadStoreDeliveryStateStore } from './mongo/read-store-delivery-state-store.js';
import { SqliteDeliveryStateStore } from './sqlite/sqlite-delivery-state-store.js';
import { SqliteSignalBoard } from './sqlite/sqlite-signal-board.js';
import type { SignalBoard } from './ports/signal-board.js';
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';
import { SqliteReadStore } from './sqlite/sqlite-read-store.js';
import { UpcastingEventStore } from './upcasting-event-store.js';
import { EncryptingEventStore } from './crypto/encrypting-event-store.js';
import { masterKeyOf } from './crypto/master-key.js';
import type { ValueCipher } from './crypto/sealed-value.js';
import { PersonKeys } from './crypto/person-keys.js';
import type { KeyStore } from './ports/key-store.js';
import { SqliteKeyStore } from './sqlite/sqlite-key-store.js';
import type { SearchIndex } from './ports/search-index.js';
import { SqliteSearchIndex } from './sqlite/sqlite-search-index.js';

/** The settings that choose the stores: a part of the server's configuration. */
export interface StoreSettings {
  /** `sqlite:<file>`, or an EventStoreDB / KurrentDB URL. */
  eventStore: string;
  /** `memory`, `sqlite` (`<dataDir>/read-models.db`), or a MongoDB URL. */
  readStore: string;
  durability: 'full' | 'normal';
  dataDir: string;
  /** Per try of an EventStoreDB append; the adapter's default (10 s) when absent. */
  limits?: { appendTimeoutSeconds: number };
  /** Base64 of 32 bytes; absent: `<dataDir>/master.key`, made on first start. */
  masterKey?: string | undefined;
  /** What new personal values are sealed with; absent: XChaCha20-Poly1305. */
  sealWith?: ValueCipher;
}

/** What opening the log through its encryption needs: where the log, the keys and the master key are. */
export type LogSettings = Pick<StoreSettings, 'eventStore' | 'durability' | 'limits' | 'readStore' | 'dataDir' | 'masterKey' | 'sealWith'>;

// The EventStoreDB and MongoDB drivers are imported only when configured: the embedded default
// (and every CLI command on it) starts without loading them.

/** The event store the configuration names: `sqlite:<file>` or an EventStoreDB / KurrentDB URL. */
export async function openEventStore(config: LogSettings, keys?: PersonKeys): Promise<EventStore> {
  // Every reader of the process sees personal data in clear (or erased), and old event shapes
  // as current ones (events/upcasters.ts): upcasters read opened values. Closing the log closes the keys.
  return new UpcastingEventStore(
    new EncryptingEventStore(await openAdapter(config), keys ?? (await openPersonKeys(config)), { sealWith: config.sealWith }),
  );
}

/** People's data keys: the key store beside the read models, unwrapped with the master key. */
export async function openPersonKeys(config: Pick<StoreSettings, 'readStore' | 'dataDir' | 'masterKey'>): Promise<PersonKeys> {
  return new PersonKeys(await openKeyStore(config), masterKeyOf(config));
}

/** The key store: a `person_keys` collection when the read store is MongoDB, else `<dataDir>/keys.db`. */
export async function openKeyStore(config: Pick<StoreSettings, 'readStore' | 'dataDir'>): Promise<KeyStore> {
  if (config.readStore === 'memory' || config.readStore === 'sqlite') return new SqliteKeyStore(join(config.dataDir, 'keys.db'));
  const { MongoKeyStore } = await import('./mongo/mongo-key-store.js');
  return MongoKeyStore.connect(config.readStore);
}

/** The adapter alone, events exactly as stored (no upcasting): what copying a log needs. */
export async function openAdapter(config: Pick<StoreSettings, 'eventStore' | 'durability' | 'limits'>): Promise<EventStore> {
  if (config.eventStore.startsWith('sqlite:')) {
    return SqliteEventStore.open({ file: config.eventStore.slice('sqlite:'.length), durability: config.durability });
  }
  const { EsdbEventStore } = await import('./esdb/esdb-event-store.js');
  const seconds = config.limits?.appendTimeoutSeconds;
  return EsdbEventStore.connect(config.eventStore, seconds === undefined ? {} : { appendTimeoutMs: seconds * 1000 });
}

/** The read store the configuration names: `memory`, `sqlite` (a file in the data directory) or a MongoDB URL. */
export async function openReadStore(config: Pick<StoreSettings, 'readStore' | 'dataDir'>): Promise<ReadStore> {
  if (config.readStore === 'memory') return new MemoryReadStore();
  if (config.readStore === 'sqlite') {
    mkdirSync(config.dataDir, { recursive: true });
    return new SqliteReadStore(join(config.dataDir, 'read-models.db'));
  }
  const { MongoReadStore } = await import('./mongo/mongo-read-store.js');
  return MongoReadStore.connect(config.readStore);
}

/** Where uploaded bytes go: GridFS beside a MongoDB read store, else files in `<dataDir>/media`. */
export async function openMediaStore(config: Pick<StoreSettings, 'dataDir'>, readStore: ReadStore): Promise<MediaStore> {
  if (!isMongo(readStore)) return new FsMediaStore(join(config.dataDir, 'media'));
  const { GridFsMediaStore } = await import('./mongo/gridfs-media-store.js');
  return new GridFsMediaStore(readStore.gridFsBucket('media'));
}

/** The media store alone, for a command run without a server (`eschat erase user`): closed with what it opened. */
export async function openMediaStoreAlone(
  config: Pick<StoreSettings, 'dataDir' | 'readStore'>,
): Promise<{ media: MediaStore; close(): Promise<void> }> {
  if (config.readStore === 'memory' || config.readStore === 'sqlite') {
    return { media: new FsMediaStore(join(config.dataDir, 'media')), close: async () => {} };
  }
  const readStore = await openReadStore(config);
  return { media: await openMediaStore(config, readStore), close: () => readStore.close() };
}

/** Where delivery cursors live: beside a MongoDB read store, else in `<dataDir>/delivery.db`. */
export async function openDeliveryStateStore(config: Pick<StoreSettings, 'dataDir'>, readStore: ReadStore): Promise<DeliveryStateStore> {
  if (!isMongo(readStore)) return new SqliteDeliveryStateStore(join(config.dataDir, 'delivery.db'));
  return ReadStoreDeliveryStateStore.open(readStore);
}

/**
 * The signal board (typing): where the log is EventStoreDB, a `$maxAge` stream on that server
 * (esdb/esdb-signal-board.ts), so processes on several hosts over one log see each other's
 * signals; otherwise a pruned table in `<dataDir>/signals.db`, shared by the processes on that
 * directory (an SQLite log is a file: its processes share a host). The read store does not
 * choose: the log is what every process of a deployment shares.
 */
export async function openSignalBoard(
  config: Pick<StoreSettings, 'eventStore' | 'dataDir'>,
  onNotice?: (message: string, error: unknown) => void,
): Promise<SignalBoard> {
  if (config.eventStore.startsWith('sqlite:')) return new SqliteSignalBoard(join(config.dataDir, 'signals.db'));
  const { EsdbSignalBoard } = await import('./esdb/esdb-signal-board.js');
  return EsdbSignalBoard.connect(config.eventStore, onNotice === undefined ? {} : { onNotice });
}

/**
 * The full-text index of message texts: a MongoDB text index beside a MongoDB read store, else
 * FTS5 in `<dataDir>/search.db` (in memory beside the memory read store: rebuilt at every start).
 */
export async function openSearchIndex(config: Pick<StoreSettings, 'readStore' | 'dataDir'>, readStore: ReadStore): Promise<SearchIndex> {
  if (isMongo(readStore)) {
    const { MongoSearchIndex } = await import('./mongo/mongo-search-index.js');
    return MongoSearchIndex.open(readStore);
  }
  if (config.readStore === 'memory') return new SqliteSearchIndex(':memory:');
  mkdirSync(config.dataDir, { recursive: true });
  return new SqliteSearchIndex(join(config.dataDir, 'search.db'));
}

function isMongo(readStore: ReadStore): readStore is MongoReadStore {
  return 'gridFsBucket' in readStore;
}
