import type { Caller } from '../../queries/sessions.js';
import { catchUp } from '../delivery/catch-up.js';
import type { Connection } from '../delivery/connection.js';
import { DeliveryChannel } from '../delivery/delivery-channel.js';
import type { Delivery } from '../delivery/delivery.js';
import type { JsonTransport } from './json-transport.js';
import type { RealtimeContext } from '../delivery/realtime-context.js';
import { v1SignalFrame, v1StreamFrame } from './v1-frames.js';
import type { Signal } from '../delivery/signal.js';
import { V1_REFUSALS, v1ErrorBody } from '../../codecs/v1/v1-error-codes.js';
import { CommandRefused } from '../../commands/decider.js';
import { randomUUID } from 'node:crypto';

/**
 * `WS /v1/stream`: every message and notification for the user as JSON frames, each with a
 * `cursor`. The client acknowledges with `{"ack": cursor}`; reconnecting with `?cursor=N`
 * resumes exactly after N (without it, after what this device acknowledged).
 */
export class V1StreamConnection implements Connection {
  readonly exclusive = false;
  readonly wire = 'websocket';
  private channel: DeliveryChannel<Record<string, unknown>> | null = null;
  private closed = false;
  /** What the typing rate limit counts by: this connection. */
  private readonly source = `stream:${randomUUID()}`;

  constructor(
    private readonly ctx: RealtimeContext,
    private readonly transport: JsonTransport,
    private readonly caller: Caller,
    readonly device: string,
  ) {}

  get userId(): number {
    return this.caller.userId;
  }

  get sessionId(): string {
    return this.caller.sessionId;
  }

  async start(resumeAfter: number | null): Promise<void> {
    const cursor = await this.ctx.cursors.device(this.userId, this.device);
    if (resumeAfter !== null) {
      cursor.ackedUpTo = resumeAfter;
      cursor.unacked = [];
      cursor.away = undefined;
      this.ctx.cursors.changed(cursor);
    }
    if (this.closed) return;
    const channel = new DeliveryChannel<Record<string, unknown>>({
      userId: this.userId,
      device: this.device,
      cursor,
      skipOwn: false,
      encode: (delivery) => ({ payload: v1StreamFrame(delivery), ackId: String(delivery.position) }),
      write: (frame) => this.transport.send(frame),
      buffered: () => this.transport.buffered(),
      highWater: this.ctx.limits.sendBufferBytes,
      stallMs: this.ctx.limits.stallSeconds * 1000,
      catchUp: () => void catchUp(this.ctx, this.userId, channel),
      cursorChanged: this.ctx.cursors.changed,
      gap: (skipped) => this.transport.send({ type: 'gap', skipped, reason: 'older deliveries are past the replay window' }),
      stalled: () => {
        this.ended();
        this.transport.abort();
      },
    });
    this.channel = channel;
    const refused = this.ctx.registry.add(this);
    if (refused) return this.close(refused);
    this.ctx.presence.fanOut.snapshot(this);
    await catchUp(this.ctx, this.userId, channel);
  }

  receive(message: unknown): void {
    const frame = (message ?? {}) as { type?: unknown; room_id?: unknown };
    if (frame.type === 'typing' || frame.type === 'typing_stopped') return void this.typing(frame.room_id, frame.type === 'typing');
    if (frame.type === 'presence') return this.setPresence((message as { presence?: unknown }).presence);
    const ack = (message as { ack?: unknown } | null)?.ack;
    if (typeof ack === 'number' && this.channel?.acknowledge(String(ack), ack)) return;
    this.transport.send({ type: 'error', ...v1ErrorBody(typeof ack === 'number' ? 'unknown_cursor' : 'unknown_frame') });
  }

  /** `{"type":"typing","room_id"}` / `{"type":"typing_stopped","room_id"}`: one typing signal per room per 2 s goes out, more are dropped. */
  private async typing(roomId: unknown, typing: boolean): Promise<void> {
    if (typeof roomId !== 'number' || !Number.isSafeInteger(roomId))
      return void this.transport.send({ type: 'error', ...v1ErrorBody('room_not_found') });
    try {
      await this.ctx.typing.signal(this.source, this.userId, roomId, typing);
    } catch (error) {
      const code = error instanceof CommandRefused ? V1_REFUSALS[error.code] : null;
      if (!code) this.ctx.log.error({ err: error }, 'typing signal failed');
      this.transport.send({ type: 'error', ...v1ErrorBody(code ?? 'internal_error') });
    }
  }

  /** `{"type":"presence","presence":"away"|"online"}`: the user shows away while every connection of theirs says so. */
  private setPresence(presence: unknown): void {
    if (!this.channel || (presence !== 'away' && presence !== 'online'))
      return void this.transport.send({ type: 'error', ...v1ErrorBody('invalid_presence') });
    this.ctx.presence.beacon.setAway(this, presence === 'away');
  }

  deliver(delivery: Delivery): void {
    this.channel?.push(delivery);
  }

  /** Live signals go straight to the socket, outside the acknowledged order; a socket past its buffer bound misses them. */
  signal(signal: Signal): void {
    if (!this.channel || this.closed || this.transport.buffered() > this.ctx.limits.sendBufferBytes) return;
    this.transport.send(v1SignalFrame(signal));
  }

  close(reason: string): void {
    if (this.closed) return;
    this.transport.send({ type: 'closing', reason });
    this.ended();
    this.transport.close(reason);
  }

  /** The socket went away. */
  ended(): void {
    this.closed = true;
    this.channel?.close();
    this.ctx.registry.remove(this);
  }
}
