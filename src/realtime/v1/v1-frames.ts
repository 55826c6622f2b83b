import { v1Message, v1Time } from '../../codecs/v1/v1-json.js';
import type { Delivery } from '../delivery/delivery.js';

/**
 * A frame of the per-user stream `WS /v1/stream`: every message and notification, each with
 * the `cursor` to acknowledge and to resume after. Notifications name the event as the log does.
 */
export function v1StreamFrame(delivery: Delivery): Record<string, unknown> {
  if (delivery.kind === 'message') return { type: 'message', cursor: delivery.position, message: v1Message(delivery.message) };
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
