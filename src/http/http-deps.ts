import type { IdAllocator } from '../commands/id-allocator.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ReadModels } from '../projections/read-models.js';
import type { EventStore } from '../store/event-store.js';
import type { LoginThrottle } from './login-throttle.js';

/** What the HTTP dialects are built from; composed in app.ts. */
export interface HttpDeps {
  store: EventStore;
  read: ReadModels;
  userIds: IdAllocator;
  config: Config;
  log: Logger;
  throttle: LoginThrottle;
}
