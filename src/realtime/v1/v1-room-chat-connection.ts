import { randomUUID } from 'node:crypto';
import { CommandRefused } from '../../commands/decider.js';
import { V1_REFUSALS, v1ErrorBody } from '../../codecs/v1/v1-error-codes.js';
import type { Caller } from '../../queries/sessions.js';
import type { Connection } from '../delivery/connection.js';
import type { Delivery, NotificationDelivery } from '../delivery/delivery.js';
import type { JsonTransport } from './json-transport.js';
import type { RealtimeContext } from '../delivery/realtime-context.js';
import { TokenBucket } from '../delivery/token-bucket.js';
import { v1Message } from '../../codecs/v1/v1-json.js';

/**
 * `WS /v1/rooms/:id/chat`, e_chat_server's room chat done right: the client sends
 * `{"text"}`; every other socket of every member of this room (and no other room) receives
 * the message; the sending socket gets no echo. A member removed from the room is cut off.
 */
export class V1RoomChatConnection implements Connection {
  readonly exclusive = false;
  readonly wire = 'websocket';
  /** Client ids of messages this socket sent: their delivery is the echo it must not get. */
  private readonly sent = new Set<string>();
  private readonly bucket: TokenBucket;
  private closed = false;

  constructor(
    private readonly ctx: RealtimeContext,
    private readonly transport: JsonTransport,
    private readonly caller: Caller,
    private readonly roomId: number,
    private readonly address: string | null,
  ) {
    this.bucket = new TokenBucket(ctx.limits.messagesPerSecond, ctx.limits.messageBurst);
    const refused = ctx.registry.add(this);
    if (refused) this.close(refused);
  }

  get userId(): number {
    return this.caller.userId;
  }

  get sessionId(): string {
    return this.caller.sessionId;
  }

  get device(): string {
    return this.caller.device;
  }

  deliver(delivery: Delivery): void {
    // e_chat_server's room chat knows only messages: an edit or a deletion is nothing it could read.
    if (delivery.kind === 'change') return;
    if (delivery.kind === 'notification') {
      if (this.leaves(delivery)) this.close('not a member of this room');
      return;
    }
    const { message } = delivery;
    if (message.room !== this.roomId) return;
    if (message.sender === this.userId && message.clientId !== null && this.sent.delete(message.clientId)) return;
    if (this.transport.send(v1Message(message))) return;
    this.ended();
    this.transport.abort();
  }

  /** Whether a notification says this user is out of this room: a membership event carries everyone in the room after it. */
  private leaves({ type, data }: NotificationDelivery): boolean {
    if (data['roomId'] !== this.roomId || !Array.isArray(data['members'])) return false;
    return type === 'RoomDeleted' || !data['members'].includes(this.userId);
  }

  async receive(message: unknown): Promise<void> {
    const { text, client_id: given } = (message ?? {}) as { text?: unknown; client_id?: unknown };
    if (typeof text !== 'string') return void this.transport.send(v1ErrorBody('invalid_json'));
    if (!this.bucket.take()) return void this.transport.send(v1ErrorBody('rate_limited'));
    const clientId = typeof given === 'string' && given.length > 0 && given.length <= 128 ? given : randomUUID();
    this.sent.add(clientId);
    // A retried client id produces no second delivery: keep the set from growing without end.
    if (this.sent.size > 1000) this.sent.delete(this.sent.values().next().value as string);
    try {
      const sender = { userId: this.userId, device: this.device, sessionId: this.sessionId, address: this.address };
      await this.ctx.texts.toRoom(sender, this.roomId, clientId, text, 'refused');
    } catch (error) {
      this.sent.delete(clientId);
      // The refusal in v1's words, as over HTTP.
      const code = error instanceof CommandRefused ? V1_REFUSALS[error.code] : null;
      if (!code) this.ctx.log.error({ err: error }, 'room chat send failed');
      this.transport.send(v1ErrorBody(code ?? 'internal_error'));
      if (error instanceof CommandRefused && error.code === 'not_a_member') this.close('not a member of this room');
    }
  }

  close(reason: string): void {
    if (this.closed) return;
    this.ended();
    this.transport.close(reason);
  }

  ended(): void {
    this.closed = true;
    this.ctx.registry.remove(this);
  }
}
