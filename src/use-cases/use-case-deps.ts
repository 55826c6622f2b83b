import type { IdAllocator } from '../commands/id-allocator.js';
import type { SendGuard } from '../commands/message.js';
import type { ReadModels } from '../projections/read-models.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { MediaStore } from '../store/ports/media-store.js';
import type { LoginThrottle } from './login-throttle.js';

/** What the use cases both dialects share are built from; each takes the part it needs. */
export interface UseCaseDeps {
  store: EventStore;
  read: ReadModels;
  roomIds: IdAllocator;
  /** Uploaded bytes: files on disk, or GridFS beside a MongoDB read store. */
  media: MediaStore;
  throttle: LoginThrottle;
  /** The checks of a send (membership, retries), answered in memory by the real-time side. */
  sendGuard: SendGuard;
}
