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
import { SqliteEventStore } from './sqlite/sqlite-event-store.js';
import { SqliteReadStore } from './sqlite/sqlite-read-store.js';
import { UpcastingEventStore } from './upcasting-event-store.js';
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
}

// The EventStoreDB and MongoDB drivers are imported only when configured: the embedded default
// (and every CLI command on it) starts without loading them.

/** The event store the configuration names: `sqlite:<file>` or an EventStoreDB / KurrentDB URL. */
export async function openEventStore(config: Pick<StoreSettings, 'eventStore' | 'durability' | 'limits'>): Promise<EventStore> {
  // Every reader of the process sees old event shapes as current ones (events/upcasters.ts).
  return new UpcastingEventStore(await openAdapter(config));
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

/** Where delivery cursors live: beside a MongoDB read store, else in `<dataDir>/delivery.db`. */
export async function openDeliveryStateStore(config: Pick<StoreSettings, 'dataDir'>, readStore: ReadStore): Promise<DeliveryStateStore> {
  if (!isMongo(readStore)) return new SqliteDeliveryStateStore(join(config.dataDir, 'delivery.db'));
  return ReadStoreDeliveryStateStore.open(readStore);
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
