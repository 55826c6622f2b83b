import type { Position, UserId } from '../events/recorded-event.js';

/**
 * How far a device has acknowledged what it was sent: every delivery up to `ackedUpTo`, and
 * the ones in `acked` beyond it (acknowledged out of order). Transport bookkeeping, so it is
 * state beside the read models, not events in the log.
 */
export interface DeviceCursor {
  userId: UserId;
  /** The device name; `*` is the user's floor: what a device never seen before starts from. */
  device: string;
  ackedUpTo: Position;
  acked: Position[];
}

/** The delivery state port. Adapters: sqlite (embedded default), read-store (MongoDB). */
export interface DeliveryStateStore {
  load(userId: UserId): Promise<DeviceCursor[]>;
  /** Writes the cursors given, replacing what each (user, device) had. */
  save(cursors: readonly DeviceCursor[]): Promise<void>;
  close(): Promise<void>;
}
