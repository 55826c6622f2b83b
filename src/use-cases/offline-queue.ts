import type { TomlFrame } from '../codecs/im/toml-frame.js';
import type { UserId } from '../events/recorded-event.js';

/**
 * simple_im's offline queue (`GET /offline`, `DELETE /offline`): what no device of a user has
 * acknowledged. Answered by the real-time side, which keeps the delivery cursors.
 */
export interface OfflineQueue {
  /** The frames no device acknowledged, oldest first, at most `limit`. */
  pending(userId: UserId, limit: number): Promise<TomlFrame[]>;
  /** Everything up to now counts as delivered, for every device of the user. */
  clear(userId: UserId): Promise<void>;
}
