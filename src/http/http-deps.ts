import type { IdAllocator } from '../commands/id-allocator.js';
import type { Config } from '../platform/config.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { ProjectionControl } from '../projections/projection-control.js';
import type { PersonKeys } from '../store/crypto/person-keys.js';
import type { OfflineQueue } from '../use-cases/offline-queue.js';
import type { MessageSearch } from '../queries/search.js';
import type { HealthReport, LivenessReport } from './health.js';
import type { UseCaseDeps } from '../use-cases/use-case-deps.js';
import type { Typing } from '../use-cases/typing.js';
import type { PresenceView } from '../use-cases/presence.js';

/** What the HTTP dialects are built from; composed in app.ts. */
export interface HttpDeps extends UseCaseDeps {
  /** The same read models, as an operator sees them: status and rebuild (`/v1/admin/projections`). */
  projections: ProjectionControl;
  userIds: IdAllocator;
  /** People's data keys: an erasure deletes one (`DELETE /v1/admin/users/:id`). */
  keys: PersonKeys;
  config: Config;
  log: Logger;
  /** simple_im's offline queue, kept by the real-time side. */
  offline: OfflineQueue;
  /** "X is typing", kept by the real-time side. */
  typing: Typing;
  /** Who may see whose presence, and what it is, kept by the real-time side. */
  presence: PresenceView;
  /** The full-text index of message texts (`GET /v1/search`). */
  search: MessageSearch;
  /** This server's instruments: requests are counted here, and `/metrics` reads them. */
  metrics: Metrics;
  /** The state of the stores, projections and connections, for `/v1/health`. */
  health(): Promise<HealthReport>;
  /** Whether the process should be left running, for `/v1/health/live`. */
  liveness(): LivenessReport;
}
