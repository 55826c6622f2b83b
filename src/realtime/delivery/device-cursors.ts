import type { Position, UserId } from '../../events/recorded-event.js';
import type { AwayRange, DeliveryStateStore, DeviceCursor } from '../../store/ports/delivery-state-store.js';
import { above, awayFrom, inAway, withRange } from './away-range.js';
import { cameFrom, type Delivery } from './delivery.js';

/**
 * The user's floor: how far `DELETE /offline` counted everything as delivered, and how far the last
 * `GET /offline` served. Device names are never empty, so it names no device. Only those two
 * requests write it, each after reading it again from the store.
 */
const FLOOR = '';

/** What a device is sent at login: everything it has not acknowledged, or (legacy) again only what it was sent and did not acknowledge. */
export type LoginReplay = 'all' | 'sent';

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
   * The cursor of a device, with what `DELETE /offline` counted as delivered applied. A new
   * device starts where the user's furthest device stands, keeping what no device acknowledged:
   * as holes to replay (a WebSocket device) and as the away range (either kind).
   */
  async device(userId: UserId, device: string, replay: LoginReplay = 'all'): Promise<DeviceCursor> {
    const devices = await this.refreshed(userId);
    const floor = devices.get(FLOOR)?.ackedUpTo ?? 0;
    let cursor = devices.get(device);
    let changed = !cursor;
    if (!cursor) {
      const others = [...devices.values()].filter((other) => other.device !== FLOOR);
      const ackedUpTo = Math.max(0, ...others.map((other) => other.ackedUpTo));
      const candidates = replay === 'all' ? new Set(others.flatMap((other) => other.unacked)) : new Set<Position>();
      const unacked = [...candidates].filter((position) => others.every((other) => !acknowledged(other, position))).sort((a, b) => a - b);
      const away = others
        .flatMap((other) => other.away ?? [])
        .sort((a, b) => a.after - b.after)
        .reduce<AwayRange[] | undefined>(withRange, undefined);
      cursor = { userId, device, ackedUpTo, unacked, away };
      devices.set(device, cursor);
    }
    if (cursor.ackedUpTo < floor || awayFrom(cursor.away) < floor) {
      cursor.ackedUpTo = Math.max(cursor.ackedUpTo, floor);
      cursor.away = above(cursor.away, floor);
      changed = true;
    }
    if (changed) this.changed(cursor);
    return cursor;
  }

  /**
   * A legacy device logs in at `position`: what arrived since it was last sent something is not
   * pushed to it but left for `GET /offline` (its away range); from here on it is sent everything.
   */
  awayUntil(cursor: DeviceCursor, position: Position): void {
    if (position <= cursor.ackedUpTo) return;
    cursor.away = withRange(cursor.away, { after: cursor.ackedUpTo, upTo: position });
    const away = cursor.away;
    // A hole inside the ranges (only where two were merged) is served with them, not also sent again.
    cursor.unacked = cursor.unacked.filter((hole) => !inAway(away, hole));
    cursor.ackedUpTo = position;
    this.changed(cursor);
  }

  /**
   * Records that a cursor moved (its fields were updated in place). Bound once, here: every
   * connection's channel is handed this same function rather than a closure of its own.
   */
  readonly changed = (cursor: DeviceCursor): void => {
    this.dirty.set(`${cursor.userId}:${cursor.device}`, cursor);
    if (!this.flushing) this.flushing = new Promise((resolve) => setImmediate(() => void this.flush().then(resolve)));
  };

  /**
   * The user's offline queue: what no device was sent (live, or in a replay) or acknowledged, nor
   * `DELETE /offline` counted as delivered: everything after `from` for which `due` holds. What
   * was sent and not acknowledged is not in it: it is sent again at that device's next login.
   */
  async offline(userId: UserId): Promise<{ from: Position; due(delivery: Delivery): boolean }> {
    // Cursors are updated a tick after a frame is written: what was just sent counts as sent.
    await new Promise((resolve) => setImmediate(resolve));
    const devices = [...(await this.refreshed(userId)).values()];
    const from = Math.min(...devices.map((cursor) => Math.min(cursor.ackedUpTo, awayFrom(cursor.away))), Infinity);
    return {
      from: Number.isFinite(from) ? from : 0,
      // A device's own messages are known to it, even when it went away before they were routed back to it.
      due: (delivery) =>
        devices.every(
          (cursor) =>
            (delivery.position > cursor.ackedUpTo || inAway(cursor.away, delivery.position)) &&
            (cursor.device === FLOOR || !cameFrom(delivery, userId, cursor.device)),
        ),
    };
  }

  /** Notes how far the user's `GET /offline` served: what its `DELETE /offline` will count as delivered. */
  async served(userId: UserId, position: Position): Promise<void> {
    const floor = await this.floor(userId);
    floor.served = position;
    this.changed(floor);
    await this.flush();
  }

  /**
   * `DELETE /offline`: what the last `GET /offline` served counts as delivered for every device
   * (everything up to `now` when nothing was fetched); what arrived after it stays due.
   */
  async delivered(userId: UserId, now: Position): Promise<void> {
    const floor = await this.floor(userId);
    floor.ackedUpTo = Math.max(floor.ackedUpTo, floor.served ?? now);
    floor.served = undefined;
    this.changed(floor);
    await this.flush();
  }

  /** Writes what changed; resolves when it is stored. */
  async flush(): Promise<void> {
    const cursors = [...this.dirty.values()].map((cursor) => ({
      ...cursor,
      unacked: [...cursor.unacked],
      away: cursor.away?.map((range) => ({ ...range })),
    }));
    this.dirty.clear();
    this.flushing = null;
    try {
      await this.store.save(cursors);
    } catch (error) {
      this.onError(error);
    }
  }

  private async floor(userId: UserId): Promise<DeviceCursor> {
    const devices = await this.refreshed(userId);
    let floor = devices.get(FLOOR);
    if (!floor) {
      floor = { userId, device: FLOOR, ackedUpTo: 0, unacked: [] };
      devices.set(FLOOR, floor);
    }
    return floor;
  }

  /**
   * The user's cursors, each moved up to the stored one where that is further (acknowledged on
   * another process), and the floor as stored (only GET and DELETE /offline write it, each
   * after this). Updated in place: the channels of this process hold these objects.
   */
  private async refreshed(userId: UserId): Promise<Map<string, DeviceCursor>> {
    const cached = this.users.get(userId);
    if (!cached) return this.devicesOf(userId);
    const [devices, stored] = await Promise.all([cached, this.store.load(userId)]);
    for (const cursor of stored) {
      const mine = devices.get(cursor.device);
      if (!mine) devices.set(cursor.device, cursor);
      else if (cursor.ackedUpTo > mine.ackedUpTo || (cursor.device === FLOOR && !this.dirty.has(`${userId}:${FLOOR}`))) {
        Object.assign(mine, { ackedUpTo: cursor.ackedUpTo, unacked: cursor.unacked, away: cursor.away, served: cursor.served });
      }
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

/** Whether the device acknowledged `position` (or was never to receive it). */
function acknowledged(cursor: DeviceCursor, position: Position): boolean {
  return position <= cursor.ackedUpTo && !cursor.unacked.includes(position) && !inAway(cursor.away, position);
}
