import type { TomlFrame } from '../codecs/im/toml-frame.js';
import type { UserId } from '../events/recorded-event.js';

/**
 * simple_im's offline queue (`GET /offline`, `DELETE /offline`): what no device of a user was
 * sent or acknowledged. Answered by the real-time side, which keeps the delivery cursors.
 */
export interface OfflineQueue {
  /** The frames no device was sent or acknowledged, oldest first, at most `limit`; remembered as served. */
  pending(userId: UserId, limit: number): Promise<TomlFrame[]>;
  /** What the last `pending` served (everything up to now if nothing was) counts as delivered, for every device. */
  clear(userId: UserId): Promise<void>;
}
