import type { Position, UserId } from '../../events/recorded-event.js';
import type { DeliveryStateStore, DeviceCursor } from '../../store/ports/delivery-state-store.js';

/** The user's floor (set by DELETE /offline). Device names are never empty, so it names no device. */
const FLOOR = '';

/**
 * Every device's acknowledgement cursor, cached in this process and written behind: all the
 * changes of one tick go to the store in one write. Read again from the store whenever a
 * device connects or the user's offline state is asked for: another process sharing the
 * store may have moved a cursor since, and a cursor only ever moves forward here.
 */
export class DeviceCursors {
  private readonly users = new Map<UserId, Promise<Map<string, DeviceCursor>>>();
  private readonly dirty = new Map<string, DeviceCursor>();
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly store: DeliveryStateStore,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * The cursor of a device. A new device starts where the user's furthest device stands,
   * keeping as holes what no device acknowledged: it gets what arrived while the user was away.
   */
  async device(userId: UserId, device: string): Promise<DeviceCursor> {
    const devices = await this.refreshed(userId);
    let cursor = devices.get(device);
    if (!cursor) {
      const others = [...devices.values()];
      const ackedUpTo = Math.max(0, ...others.map((other) => other.ackedUpTo));
      const candidates = new Set(others.flatMap((other) => other.unacked));
      const unacked = [...candidates].filter((position) => dueEverywhere(others, position)).sort((a, b) => a - b);
      cursor = { userId, device, ackedUpTo, unacked };
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

  /**
   * What no device of the user has acknowledged: everything after `from` for which `due` holds.
   * With no device at all, everything is due.
   */
  async offline(userId: UserId): Promise<{ from: Position; due(position: Position): boolean }> {
    const devices = [...(await this.refreshed(userId)).values()];
    const from = Math.min(...devices.map((cursor) => (cursor.unacked.length > 0 ? cursor.unacked[0]! - 1 : cursor.ackedUpTo)), Infinity);
    return { from: Number.isFinite(from) ? from : 0, due: (position) => dueEverywhere(devices, position) };
  }

  /** Everything up to `position` counts as delivered, for every device of the user. */
  async deliveredUpTo(userId: UserId, position: Position): Promise<void> {
    const devices = await this.refreshed(userId);
    if (!devices.has(FLOOR)) devices.set(FLOOR, { userId, device: FLOOR, ackedUpTo: 0, unacked: [] });
    for (const cursor of devices.values()) {
      if (cursor.ackedUpTo >= position && !cursor.unacked.some((hole) => hole <= position)) continue;
      cursor.ackedUpTo = Math.max(cursor.ackedUpTo, position);
      cursor.unacked = cursor.unacked.filter((hole) => hole > position);
      this.changed(cursor);
    }
  }

  /** Writes what changed; resolves when it is stored. */
  async flush(): Promise<void> {
    const cursors = [...this.dirty.values()].map((cursor) => ({ ...cursor, unacked: [...cursor.unacked] }));
    this.dirty.clear();
    this.flushing = null;
    try {
      await this.store.save(cursors);
    } catch (error) {
      this.onError(error);
    }
  }

  /**
   * The user's cursors, each moved up to the stored one where that is further (acknowledged on
   * another process). Updated in place: the channels of this process hold these objects.
   */
  private async refreshed(userId: UserId): Promise<Map<string, DeviceCursor>> {
    const cached = this.users.get(userId);
    if (!cached) return this.devicesOf(userId);
    const [devices, stored] = await Promise.all([cached, this.store.load(userId)]);
    for (const cursor of stored) {
      const mine = devices.get(cursor.device);
      if (!mine) devices.set(cursor.device, cursor);
      else if (cursor.ackedUpTo > mine.ackedUpTo) Object.assign(mine, { ackedUpTo: cursor.ackedUpTo, unacked: cursor.unacked });
    }
    return devices;
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

/** Whether no device has acknowledged `position`. */
function dueEverywhere(devices: readonly DeviceCursor[], position: Position): boolean {
  return devices.every((cursor) => position > cursor.ackedUpTo || cursor.unacked.includes(position));
}
