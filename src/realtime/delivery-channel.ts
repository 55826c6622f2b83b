import type { Position, UserId } from '../events/recorded-event.js';
import type { DeviceCursor } from '../store/delivery-state-store.js';
import { cameFrom, type Delivery } from './delivery.js';

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
  /** Writes a frame; false when the connection's buffer is over its bound. */
  write(payload: Payload): boolean;
  /** The cursor moved: persist it. */
  cursorChanged(cursor: DeviceCursor): void;
  /** The consumer is too slow: close the connection; its cursor keeps it whole. */
  overflow(): void;
  /** Deliveries that came from this very device are skipped (it already knows them). */
  skipOwn: boolean;
}

/**
 * Ordered, acknowledged delivery to one device: replays what the device has not acknowledged,
 * holding live deliveries back meanwhile, then goes live. Every frame carries a position; the
 * device's cursor advances only over what it acknowledged (or what it was never to receive).
 */
export class DeliveryChannel<Payload> {
  private readonly pending: Array<{ position: Position; ackId: string }> = [];
  private held: Delivery[] | null = [];
  private lastSent: Position;
  private readonly ackedAhead: Set<Position>;
  private closed = false;

  constructor(private readonly options: ChannelOptions<Payload>) {
    this.lastSent = options.cursor.ackedUpTo;
    this.ackedAhead = new Set(options.cursor.acked);
  }

  /** Position from which the replay must read: everything after it is due. */
  get replayFrom(): Position {
    return this.options.cursor.ackedUpTo;
  }

  /** Sends a replayed page (positions ascending). */
  replay(deliveries: readonly Delivery[]): void {
    for (const delivery of deliveries) this.send(delivery);
  }

  /** The replay is over: what was held back goes out, and live deliveries flow directly. */
  goLive(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const delivery of held) this.send(delivery);
  }

  push(delivery: Delivery): void {
    if (this.held) this.held.push(delivery);
    else this.send(delivery);
  }

  /** Acknowledges the oldest unacknowledged frame with this id (or at this position). */
  acknowledge(ackId: string, position?: Position): boolean {
    const index = this.pending.findIndex((entry) => (position !== undefined ? entry.position === position : entry.ackId === ackId));
    if (index < 0) return false;
    const [entry] = this.pending.splice(index, 1);
    if (index > 0 && entry) this.ackedAhead.add(entry.position);
    this.advance();
    return true;
  }

  close(): void {
    this.closed = true;
  }

  private send(delivery: Delivery): void {
    if (this.closed || delivery.position <= this.lastSent) return;
    this.lastSent = delivery.position;
    const skip = this.ackedAhead.has(delivery.position) || (this.options.skipOwn && cameFrom(delivery, this.options.userId, this.options.device));
    const encoded = skip ? null : this.options.encode(delivery);
    if (!encoded) {
      this.advance();
      return;
    }
    this.pending.push({ position: delivery.position, ackId: encoded.ackId });
    if (!this.options.write(encoded.payload)) {
      this.closed = true;
      this.options.overflow();
    }
  }

  /** Moves the cursor up to just before the oldest unacknowledged frame. */
  private advance(): void {
    const { cursor } = this.options;
    const upTo = this.pending.length > 0 ? this.pending[0]!.position - 1 : this.lastSent;
    if (upTo <= cursor.ackedUpTo) {
      if (this.ackedAhead.size !== cursor.acked.length) this.saveAhead();
      return;
    }
    cursor.ackedUpTo = upTo;
    for (const position of this.ackedAhead) if (position <= upTo) this.ackedAhead.delete(position);
    this.saveAhead();
  }

  private saveAhead(): void {
    this.options.cursor.acked = [...this.ackedAhead].sort((a, b) => a - b);
    this.options.cursorChanged(this.options.cursor);
  }
}
