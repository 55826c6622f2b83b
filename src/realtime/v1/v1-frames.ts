import { v1Message, v1Presence, v1Time, v1TimeOf } from '../../codecs/v1/v1-json.js';
import type { Delivery, MessageChangeDelivery } from '../delivery/delivery.js';
import type { Signal } from '../delivery/signal.js';

/**
 * A frame of the per-user stream `WS /v1/stream`: every message, edit, deletion and
 * notification, each with the `cursor` to acknowledge and to resume after. Notifications name
 * the event as the log does.
 */
export function v1StreamFrame(delivery: Delivery): Record<string, unknown> {
  if (delivery.kind === 'message') return { type: 'message', cursor: delivery.position, message: v1Message(delivery.message) };
  if (delivery.kind === 'change') return v1ChangeFrame(delivery);
  return {
    type: 'notification',
    cursor: delivery.position,
    event: delivery.type,
    actor: delivery.origin.user,
    device: delivery.origin.device,
    at: v1Time(new Date(delivery.at)),
    data: delivery.data,
  };
}

/** A live signal on `WS /v1/stream`: no cursor, never replayed (the state is read over HTTP after a reconnect). */
export function v1SignalFrame(signal: Signal): Record<string, unknown> {
  switch (signal.kind) {
    case 'read':
      return { type: 'read', room_id: signal.roomId, read_up_to: signal.upTo, unread: signal.unread };
    case 'receipt':
      return { type: 'receipt', room_id: signal.roomId, user_id: signal.userId, read_up_to: signal.upTo };
    case 'typing':
      return { type: 'typing', room_id: signal.roomId, user_id: signal.userId, expires_at: v1Time(new Date(signal.expiresAt)) };
    case 'typing_stopped':
      return { type: 'typing_stopped', room_id: signal.roomId, user_id: signal.userId };
    case 'presence':
      return { type: 'presence', user_id: signal.userId, ...v1Presence(signal) };
  }
}

/**
 * `message_edited`: the message's text now and when it was edited; `message_deleted`: a
 * tombstone, `{"id","room_id","deleted":true}`, for the client to take the message away.
 */
function v1ChangeFrame(delivery: MessageChangeDelivery): Record<string, unknown> {
  const { position: cursor, messageId: id, room: room_id, sender: user_id, edit } = delivery;
  if (edit === null) return { type: 'message_deleted', cursor, message: { id, room_id, deleted: true } };
  return { type: 'message_edited', cursor, message: { id, room_id, user_id, text: edit.text, edited_at: v1TimeOf(edit.editedAt) } };
}
