import { imMediaPath } from '../../codecs/media-paths.js';
import type { TomlFrame, TomlValue } from '../../codecs/im/toml-frame.js';
import type { Delivery, MessageChangeDelivery, MessageDelivery, NotificationDelivery } from '../delivery/delivery.js';
import { peerIn, type RoutingState } from '../../projections/routing-state.js';
import type { Signal } from '../delivery/signal.js';

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/**
 * A delivery as simple_im clients know it: `[[m]]` / `[[gm]]` for messages, `[[n]]` for
 * notifications; null for what they have no frame for (a declined request, a direct room
 * being created). Every frame has an `id` to acknowledge and the `cursor` it stands at.
 */
export function imFrame(delivery: Delivery): TomlFrame | null {
  if (delivery.kind === 'change') return null;
  return delivery.kind === 'message' ? messageFrame(delivery) : notificationFrame(delivery);
}

/**
 * imFrame, and for a `WS /im` client that asked for edits (`?features=edits`) the edits and
 * deletions of messages as `[[n]] t = "edit_message"` (with `c`, the new text) and
 * `t = "delete_message"`, naming the message by `mid` and its room as `[[m]]`/`[[gm]]` do.
 */
export function imFrameWithEdits(delivery: Delivery): TomlFrame | null {
  return delivery.kind === 'change' ? changeFrame(delivery) : imFrame(delivery);
}

/**
 * A live signal for a `WS /im` client that opted into its feature (`reads`, `typing`,
 * `presence`), as `[[n]]` frames like the edits: `t` says what, `from` who, and a room is named
 * as `[[m]]`/`[[gm]]` do (`to`, the other member of a direct room as `from` sees it, or `g_id`).
 * No `id` and no `cursor`: a signal is not acknowledged and never replayed.
 * `read` (to the reader's devices): `mid` read up to, `unread`; `receipt`: `mid`;
 * `typing`: `expires` (unix seconds); `typing_stopped`; `presence`: `presence` =
 * "online"/"away"/"offline" and, offline, `last_seen` (unix seconds) when shown.
 */
export function imSignalFrame(signal: Signal, reader: number, routing: RoutingState): TomlFrame | null {
  if (signal.kind === 'presence') {
    const fields: Record<string, TomlValue> = { t: 'presence', from: signal.userId, presence: signal.presence };
    if (signal.lastSeen !== null) fields['last_seen'] = Math.floor(signal.lastSeen / 1000);
    return { type: 'n', fields };
  }
  const from = signal.kind === 'read' ? reader : signal.userId;
  // Signals are not kept: one whose room has left memory meanwhile (only under a tiny bound) is given up.
  const room = routing.cached(signal.roomId) ? routing.room(signal.roomId) : undefined;
  if (!room) return null;
  const fields: Record<string, TomlValue> = { t: signal.kind, from };
  if (room.kind === 'direct') fields['to'] = peerIn(room, from) ?? from;
  else fields['g_id'] = signal.roomId;
  if (signal.kind === 'read') Object.assign(fields, { mid: signal.upTo, unread: signal.unread });
  else if (signal.kind === 'receipt') fields['mid'] = signal.upTo;
  else if (signal.kind === 'typing') fields['expires'] = Math.floor(signal.expiresAt / 1000);
  return { type: 'n', fields };
}

function changeFrame(delivery: MessageChangeDelivery): TomlFrame | null {
  const room = delivery.route;
  if (!room) return null;
  const { position, messageId, sender, edit } = delivery;
  const fields: Record<string, TomlValue> = { id: `n_${position}`, t: edit === null ? 'delete_message' : 'edit_message', mid: messageId };
  if (room.kind === 'direct') fields['to'] = peerIn(room, sender) ?? sender;
  else fields['g_id'] = delivery.room;
  if (edit !== null) fields['c'] = edit.text;
  Object.assign(fields, {
    from: delivery.origin.user ?? sender,
    ts: seconds(delivery.at),
    d: delivery.origin.device ?? '',
    cursor: position,
  });
  return { type: 'n', fields };
}

function messageFrame({ message, position, route: room }: MessageDelivery): TomlFrame | null {
  if (!room) return null;
  const fields: Record<string, TomlValue> = {
    id: message.clientId ?? `m_${position}`,
    t: message.kind,
    c: message.kind === 'text' ? (message.text ?? '') : imMediaPath(message.kind, message.mediaId ?? ''),
  };
  if (room.kind === 'direct') fields['to'] = peerIn(room, message.sender) ?? message.sender;
  else fields['g_id'] = message.room;
  Object.assign(fields, { from: message.sender, d: message.device ?? '', ts: seconds(message.at), mid: position, cursor: position });
  return { type: room.kind === 'direct' ? 'm' : 'gm', fields };
}

function notificationFrame(notification: NotificationDelivery): TomlFrame | null {
  const fields = notificationFields(notification);
  if (!fields) return null;
  return {
    type: 'n',
    fields: {
      id: `n_${notification.position}`,
      ...fields,
      ts: seconds(notification.at),
      d: notification.origin.device ?? '',
      cursor: notification.position,
    },
  };
}

type Data = Record<string, unknown>;
const num = (value: unknown): number => Number(value);

function notificationFields({ type, data }: NotificationDelivery): Record<string, TomlValue> | null {
  const d = data as Data;
  switch (type) {
    case 'ContactRequested':
      return { t: 'add_contact', from: num(d['from']), to: num(d['to']), ask: String(d['ask'] ?? '') };
    case 'ContactAccepted':
      return { t: 'accept_contact', from: num(d['by']), to: num(d['requester']) };
    case 'ContactDeleted':
      return { t: 'delete_contact', from: num(d['by']), to: num(d['other']) };
    default:
      return d['kind'] === 'group' ? groupFields(type, d) : null;
  }
}

function groupFields(type: string, d: Data): Record<string, TomlValue> | null {
  const group = num(d['roomId']);
  switch (type) {
    case 'RoomCreated':
      return { t: 'create_group', g_id: group, g_key: String(d['key'] ?? ''), name: String(d['name'] ?? ''), from: num(d['creator']) };
    case 'RoomMemberJoined':
      return d['via'] === 'creation' ? null : { t: 'create_group_member', g_id: group, member_id: num(d['userId']), from: num(d['by']) };
    case 'RoomMemberLeft':
      return { t: 'delete_group_member', g_id: group, gm_id: num(d['userId']), member_id: num(d['userId']), from: num(d['userId']) };
    case 'RoomMemberRemoved':
      return { t: 'delete_group_member', g_id: group, gm_id: num(d['userId']), member_id: num(d['userId']), from: num(d['by']) };
    case 'RoomDeleted':
      return { t: 'delete_group', g_id: group, from: num(d['by']) };
    default:
      return null;
  }
}

/** The id an im client acknowledges a frame with. */
export function ackIdOf(frame: TomlFrame): string {
  return String(frame.fields['id']);
}
