import type { IdAllocator } from '../commands/id-allocator.js';
import type { SendGuard } from '../commands/message.js';
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { ProjectionControl } from '../projections/projection-control.js';
import type { ReadModels } from '../projections/read-models.js';
import type { OfflineQueue } from './im/offline-queue.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { MediaStore } from '../store/ports/media-store.js';
import type { HealthReport } from './health.js';
import type { LoginThrottle } from './login-throttle.js';

/** What the HTTP dialects are built from; composed in app.ts. */
export interface HttpDeps {
  store: EventStore;
  read: ReadModels;
  /** The same read models, as an operator sees them: status and rebuild (`/v1/admin/projections`). */
  projections: ProjectionControl;
  userIds: IdAllocator;
  roomIds: IdAllocator;
  /** Uploaded bytes: files on disk, or GridFS beside a MongoDB read store. */
  media: MediaStore;
  config: Config;
  log: Logger;
  throttle: LoginThrottle;
  /** simple_im's offline queue, kept by the real-time side. */
  offline: OfflineQueue;
  /** The checks of a send (membership, retries), answered in memory by the real-time side. */
  sendGuard: SendGuard;
  /** This server's instruments: requests are counted here, and `/metrics` reads them. */
  metrics: Metrics;
  /** The state of the stores, projections and connections, for `/v1/health`. */
  health(): Promise<HealthReport>;
}
