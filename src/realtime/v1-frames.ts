import type { Delivery, MessageDelivery } from './delivery.js';
import { mediaPath } from './im-frames.js';

/** v1's time format: UTC `YYYY-MM-DDTHH:MM:SSZ`. */
export const v1Time = (iso: string): string => `${iso.slice(0, 19)}Z`;

/** A message as v1 shows it (room chat and history): the seed's keys, plus kind, url, client_id. */
export function v1Message(message: MessageDelivery): Record<string, unknown> {
  return {
    id: message.position,
    text: message.text ?? '',
    user_id: message.sender,
    room_id: message.roomId,
    created_at: v1Time(message.at),
    kind: message.messageKind,
    ...(message.mediaId ? { url: mediaPath(message.messageKind, message.mediaId) } : {}),
    ...(message.clientId ? { client_id: message.clientId } : {}),
  };
}

/**
 * A frame of the per-user stream `WS /v1/stream`: every message and notification, each with
 * the `cursor` to acknowledge and to resume after. Notifications name the event as the log does.
 */
export function v1StreamFrame(delivery: Delivery): Record<string, unknown> {
  if (delivery.kind === 'message') return { type: 'message', cursor: delivery.position, message: v1Message(delivery) };
  return {
    type: 'notification',
    cursor: delivery.position,
    event: delivery.type,
    actor: delivery.origin.user,
    device: delivery.origin.device,
    at: v1Time(delivery.at),
    data: delivery.data,
  };
}
