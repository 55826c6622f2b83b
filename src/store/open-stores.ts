import { join } from 'node:path';
import type { Config } from '../config.js';
import type { DeliveryStateStore } from './delivery-state-store.js';
import { EsdbEventStore } from './esdb-event-store.js';
import type { EventStore } from './event-store.js';
import { FsMediaStore } from './fs-media-store.js';
import { GridFsMediaStore } from './gridfs-media-store.js';
import type { MediaStore } from './media-store.js';
import { MemoryReadStore } from './memory-read-store.js';
import { MongoReadStore } from './mongo-read-store.js';
import type { ReadStore } from './read-store.js';
import { ReadStoreDeliveryStateStore } from './read-store-delivery-state-store.js';
import { SqliteDeliveryStateStore } from './sqlite-delivery-state-store.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { UpcastingEventStore } from './upcasting-event-store.js';

/** The event store the configuration names: `sqlite:<file>` or an EventStoreDB / KurrentDB URL. */
export async function openEventStore(config: Pick<Config, 'eventStore' | 'durability'>): Promise<EventStore> {
  // Every reader of the process sees old event shapes as current ones (events/upcasters.ts).
  return new UpcastingEventStore(await openAdapter(config));
}

/** The adapter alone, events exactly as stored (no upcasting): what copying a log needs. */
export async function openAdapter(config: Pick<Config, 'eventStore' | 'durability'>): Promise<EventStore> {
  if (config.eventStore.startsWith('sqlite:')) {
    return SqliteEventStore.open({ file: config.eventStore.slice('sqlite:'.length), durability: config.durability });
  }
  return EsdbEventStore.connect(config.eventStore);
}

/** The read store the configuration names: `memory` or a MongoDB URL. */
export async function openReadStore(config: Pick<Config, 'readStore'>): Promise<ReadStore> {
  if (config.readStore === 'memory') return new MemoryReadStore();
  return MongoReadStore.connect(config.readStore);
}

/** Where uploaded bytes go: GridFS beside a MongoDB read store, else files in `<dataDir>/media`. */
export function openMediaStore(config: Pick<Config, 'dataDir'>, readStore: ReadStore): MediaStore {
  if (readStore instanceof MongoReadStore) return new GridFsMediaStore(readStore.gridFsBucket('media'));
  return new FsMediaStore(join(config.dataDir, 'media'));
}

/** Where delivery cursors live: beside a MongoDB read store, else in `<dataDir>/delivery.db`. */
export async function openDeliveryStateStore(config: Pick<Config, 'dataDir'>, readStore: ReadStore): Promise<DeliveryStateStore> {
  if (readStore instanceof MongoReadStore) return ReadStoreDeliveryStateStore.open(readStore);
  return new SqliteDeliveryStateStore(join(config.dataDir, 'delivery.db'));
}
