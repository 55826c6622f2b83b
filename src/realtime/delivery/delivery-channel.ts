import type { Position, UserId } from '../../events/recorded-event.js';
import type { DeviceCursor } from '../../store/ports/delivery-state-store.js';
import { above, awayFrom, inAway } from './away-range.js';
import { cameFrom, type Delivery } from './delivery.js';
import type { LoginReplay } from './device-cursors.js';

/** A delivery as one dialect writes it (a TOML frame, a JSON object), and the id its acknowledgement will carry. */
export interface EncodedDelivery<Payload> {
  payload: Payload;
  ackId: string;
}

export interface ChannelOptions<Payload> {
  userId: UserId;
  device: string;
  cursor: DeviceCursor;
  /** Null when the dialect has nothing to say about the delivery. */
  encode(delivery: Delivery): EncodedDelivery<Payload> | null;
  /** Writes a frame; false when the connection's send buffer is past its bound. */
  write(payload: Payload): boolean;
  /** Bytes written but not yet taken by the client. */
  buffered(): number;
  /** The send buffer bound; writing resumes when it is half empty. */
  highWater: number;
  /** How long a client may take nothing before it is dropped. */
  stallMs: number;
  /** Replays from `replayFrom` to now, then calls goLive: the connection's catch-up. */
  catchUp(): void;
  /** The cursor moved: persist it. */
  cursorChanged(cursor: DeviceCursor): void;
  /** The client stalled: drop the connection; its cursor keeps it whole. */
  stalled(): void;
  /** Tells the client that `skipped` deliveries were past the replay window and will not come. */
  gap(skipped: number): void;
  /** Deliveries that came from this very device are skipped (it already knows them). */
  skipOwn: boolean;
  /**
   * 'all': the first catch-up replays everything not acknowledged, the away range included.
   * 'sent' (legacy): only what was sent before and not acknowledged (the holes); the away range
   * is fetched over HTTP, and everything sent counts as sent in the cursor, acknowledged or not.
   */
  replay?: LoginReplay;
}

const DRAIN_POLL_MS = 20;
/** Unacknowledged frames kept for redelivery below the cursor; older ones are given up. */
const MAX_HOLES = 1000;

/**
 * Ordered, acknowledged delivery to one device. It first replays what the device has not
 * acknowledged, holding live deliveries back meanwhile, then goes live. When the client reads
 * slower than it is sent to, the channel stops writing at the bound and, once the client has
 * drained, catches up from the log instead of queueing in memory: the log is the queue.
 * The device's cursor advances only over what it acknowledged (or was never to receive).
 */
export class DeliveryChannel<Payload> {
  private readonly pending: Array<{ position: Position; ackId: string }> = [];
  private state: 'catching-up' | 'live' | 'paused' | 'closed' = 'catching-up';
  private held: Delivery[] = [];
  /** Each catch-up has its own epoch: a stale one (overtaken by a pause) sends nothing more. */
  private epoch = 0;
  private lastSent: Position;
  /** Unacknowledged holes below the cursor, from an earlier connection: sent again first. None for most devices: no Set then. */
  private readonly holes: Set<Position> | null;
  private drainTimer: NodeJS.Timeout | undefined;
  private saving = false;

  constructor(private readonly options: ChannelOptions<Payload>) {
    const { cursor } = options;
    this.holes = cursor.unacked.length > 0 ? new Set(cursor.unacked) : null;
    const firstHole = cursor.unacked.length > 0 ? cursor.unacked[0]! - 1 : Infinity;
    const away = options.replay === 'sent' ? Infinity : awayFrom(cursor.away);
    this.lastSent = Math.min(cursor.ackedUpTo, firstHole, away);
  }

  /** Starts a catch-up: everything after `from` is due; live deliveries are held meanwhile. */
  startCatchUp(): { epoch: number; from: Position } {
    if (this.state !== 'catching-up') this.held = [];
    if (this.state !== 'closed') this.state = 'catching-up';
    return { epoch: ++this.epoch, from: this.lastSent };
  }

  /** Sends a replayed page (positions ascending); false when this catch-up is over. */
  replay(epoch: number, deliveries: readonly Delivery[]): boolean {
    for (const delivery of deliveries) {
      if (epoch !== this.epoch || this.state !== 'catching-up') return false;
      this.send(delivery);
    }
    return epoch === this.epoch && this.state === 'catching-up';
  }

  /** Announces, in this catch-up, what the replay window left out. */
  announceGap(epoch: number, skipped: number): void {
    if (epoch === this.epoch && this.state === 'catching-up') this.options.gap(skipped);
  }

  /** The replay is over: what was held back goes out, and live deliveries flow directly. */
  goLive(epoch: number): void {
    if (epoch !== this.epoch || this.state !== 'catching-up') return;
    this.state = 'live';
    const held = this.held;
    this.held = [];
    for (const delivery of held) if (this.state === 'live') this.send(delivery);
  }

  push(delivery: Delivery): void {
    if (this.state === 'live') this.send(delivery);
    else if (this.state === 'catching-up') this.held.push(delivery);
    // Paused: dropped here, replayed from the log once the client has drained.
  }

  /** Acknowledges the oldest unacknowledged frame with this id (or at this position). */
  acknowledge(ackId: string, position?: Position): boolean {
    const index = this.pending.findIndex((entry) => (position !== undefined ? entry.position === position : entry.ackId === ackId));
    if (index < 0) return false;
    const [entry] = this.pending.splice(index, 1);
    const { cursor } = this.options;
    if (entry && entry.position > cursor.ackedUpTo) cursor.ackedUpTo = entry.position;
    this.save();
    return true;
  }

  close(): void {
    this.state = 'closed';
    this.held = [];
    clearInterval(this.drainTimer);
  }

  private send(delivery: Delivery): void {
    if (delivery.position <= this.lastSent) return;
    this.lastSent = delivery.position;
    const { cursor } = this.options;
    const acknowledged =
      delivery.position <= cursor.ackedUpTo &&
      !this.holes?.has(delivery.position) &&
      (this.options.replay === 'sent' || !inAway(cursor.away, delivery.position));
    this.holes?.delete(delivery.position);
    const skip = acknowledged || (this.options.skipOwn && cameFrom(delivery, this.options.userId, this.options.device));
    const encoded = skip ? null : this.options.encode(delivery);
    if (this.options.replay === 'sent') this.markSent(delivery.position, encoded !== null);
    if (!encoded) {
      if (this.pending.length === 0) this.save();
      return;
    }
    this.pending.push({ position: delivery.position, ackId: encoded.ackId });
    if (!this.options.write(encoded.payload)) this.pause();
  }

  /**
   * Legacy: what is sent leaves the offline queue at once (a `GET /offline` running now must not
   * serve it too), and a frame written and not yet acknowledged is a hole, to send again.
   */
  private markSent(position: Position, written: boolean): void {
    const { cursor } = this.options;
    if (written && position <= cursor.ackedUpTo) return;
    if (written) cursor.unacked.push(position);
    cursor.ackedUpTo = Math.max(cursor.ackedUpTo, position);
    this.save();
  }

  /** Stops writing until the client has taken half of what waits; drops it if it takes nothing for too long. */
  private pause(): void {
    this.state = 'paused';
    this.held = [];
    const since = Date.now();
    this.drainTimer = setInterval(() => {
      if (this.state !== 'paused') return clearInterval(this.drainTimer);
      if (this.options.buffered() <= this.options.highWater / 2) {
        clearInterval(this.drainTimer);
        this.options.catchUp();
      } else if (Date.now() - since > this.options.stallMs) {
        this.close();
        this.options.stalled();
      }
    }, DRAIN_POLL_MS);
    this.drainTimer.unref();
  }

  /** Writes the cursor once per tick: the highest position acknowledged, and the holes below it. */
  private save(): void {
    if (this.saving) return;
    this.saving = true;
    setImmediate(() => {
      this.saving = false;
      const { cursor } = this.options;
      const sentCounts = this.options.replay === 'sent';
      if ((sentCounts || this.pending.length === 0) && this.lastSent > cursor.ackedUpTo) cursor.ackedUpTo = this.lastSent;
      const holes: Position[] = [...(this.holes ?? [])].filter((position) => position > this.lastSent);
      for (const entry of this.pending) if (sentCounts || entry.position < cursor.ackedUpTo) holes.push(entry.position);
      if (!sentCounts) cursor.away = above(cursor.away, this.lastSent);
      holes.sort((a, b) => a - b);
      // A client that never acknowledges some frames must not grow its cursor without bound.
      cursor.unacked = holes.length > MAX_HOLES ? holes.slice(-MAX_HOLES) : holes;
      this.options.cursorChanged(cursor);
    });
  }
}
