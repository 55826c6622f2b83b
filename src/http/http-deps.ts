import type { IdAllocator } from '../commands/id-allocator.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ReadModels } from '../projections/read-models.js';
import type { OfflineQueue } from '../queries/offline-queue.js';
import type { EventStore } from '../store/event-store.js';
import type { MediaStore } from '../store/media-store.js';
import type { LoginThrottle } from './login-throttle.js';

/** What the HTTP dialects are built from; composed in app.ts. */
export interface HttpDeps {
  store: EventStore;
  read: ReadModels;
  userIds: IdAllocator;
  roomIds: IdAllocator;
  /** Uploaded bytes: files on disk, or GridFS beside a MongoDB read store. */
  media: MediaStore;
  config: Config;
  log: Logger;
  throttle: LoginThrottle;
  /** simple_im's offline queue, kept by the real-time side. */
  offline: OfflineQueue;
}
