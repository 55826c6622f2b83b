import type { Position, UserId } from '../../events/recorded-event.js';

/**
 * How far a device has acknowledged what it was sent: every delivery up to `ackedUpTo` except
 * the few in `unacked` (a client may never acknowledge a frame it does not understand; the
 * holes are few where acknowledged positions would be many). Transport bookkeeping, so it is
 * state beside the read models, not events in the log.
 */
export interface DeviceCursor {
  userId: UserId;
  /** The device name; the empty name is the user's floor: what a device never seen before starts from. */
  device: string;
  ackedUpTo: Position;
  /** Positions at or below `ackedUpTo` still unacknowledged, ascending. */
  unacked: Position[];
  /**
   * Ranges of positions, at or below `ackedUpTo`, ascending, that arrived while a legacy (TLS/TCP)
   * device was away: neither sent to it nor acknowledged by it. Its client fetches them with
   * `GET /offline`; a WebSocket login of the same device replays them.
   */
  away?: AwayRange[] | undefined;
  /** The floor only: how far the user's last `GET /offline` served, which `DELETE /offline` then counts as delivered. */
  served?: Position | undefined;
}

/** The positions in (after, upTo]. */
export interface AwayRange {
  after: Position;
  upTo: Position;
}

/** The delivery state port. Adapters: sqlite (embedded default), read-store (MongoDB). */
export interface DeliveryStateStore {
  load(userId: UserId): Promise<DeviceCursor[]>;
  /** Writes the cursors given, replacing what each (user, device) had. */
  save(cursors: readonly DeviceCursor[]): Promise<void>;
  close(): Promise<void>;
}
