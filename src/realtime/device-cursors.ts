import type { Position, UserId } from '../events/recorded-event.js';
import type { DeliveryStateStore, DeviceCursor } from '../store/delivery-state-store.js';

/** The user's floor: a device never seen before starts from here. */
const FLOOR = '*';

/**
 * Every device's acknowledgement cursor, cached in this process and written behind: all the
 * changes of one tick go to the store in one write.
 */
export class DeviceCursors {
  private readonly users = new Map<UserId, Promise<Map<string, DeviceCursor>>>();
  private readonly dirty = new Map<string, DeviceCursor>();
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: DeliveryStateStore,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** The cursor of a device; a new device starts where the user's furthest device stands. */
  async device(userId: UserId, device: string): Promise<DeviceCursor> {
    const devices = await this.devicesOf(userId);
    let cursor = devices.get(device);
    if (!cursor) {
      cursor = { userId, device, ackedUpTo: furthest(devices), acked: [] };
      devices.set(device, cursor);
      this.changed(cursor);
    }
    return cursor;
  }

  /** Records that a cursor moved (its fields were updated in place). */
  changed(cursor: DeviceCursor): void {
    this.dirty.set(`${cursor.userId}:${cursor.device}`, cursor);
    if (!this.flushing) this.flushing = new Promise((resolve) => setImmediate(() => void this.flush().then(resolve)));
  }

  /** What no device of the user has acknowledged starts after `after`, except `acked`. */
  async offline(userId: UserId): Promise<{ after: Position; acked: ReadonlySet<Position> }> {
    const devices = await this.devicesOf(userId);
    const after = furthest(devices);
    const acked = new Set<Position>();
    for (const cursor of devices.values()) for (const position of cursor.acked) if (position > after) acked.add(position);
    return { after, acked };
  }

  /** Everything up to `position` counts as delivered, for every device of the user. */
  async deliveredUpTo(userId: UserId, position: Position): Promise<void> {
    const devices = await this.devicesOf(userId);
    if (!devices.has(FLOOR)) devices.set(FLOOR, { userId, device: FLOOR, ackedUpTo: 0, acked: [] });
    for (const cursor of devices.values()) {
      if (cursor.ackedUpTo >= position) continue;
      cursor.ackedUpTo = position;
      cursor.acked = cursor.acked.filter((acked) => acked > position);
      this.changed(cursor);
    }
  }

  /** Writes what changed; resolves when it is stored. */
  async flush(): Promise<void> {
    const cursors = [...this.dirty.values()].map((cursor) => ({ ...cursor, acked: [...cursor.acked] }));
    this.dirty.clear();
    this.flushing = null;
    try {
      await this.store.save(cursors);
    } catch (error) {
      this.onError(error);
    }
  }

  private devicesOf(userId: UserId): Promise<Map<string, DeviceCursor>> {
    let devices = this.users.get(userId);
    if (!devices) {
      devices = this.store.load(userId).then((cursors) => new Map(cursors.map((cursor) => [cursor.device, cursor])));
      this.users.set(userId, devices);
      devices.catch(() => this.users.delete(userId));
    }
    return devices;
  }
}

function furthest(devices: ReadonlyMap<string, DeviceCursor>): Position {
  let position = 0;
  for (const cursor of devices.values()) position = Math.max(position, cursor.ackedUpTo);
  return position;
}
