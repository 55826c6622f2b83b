import type { ContactEvent } from '../../events/contact.js';
import type { MessageChange, MessageSent } from '../../events/message.js';
import type { RoomEvent } from '../../events/room.js';
import { messageDocument, type MessageChangeDocument, type MessageDocument } from '../../projections/messages.js';
import type { Position, RecordedEvent, UserId } from '../../events/recorded-event.js';
import type { NotificationDocument } from '../../projections/notifications.js';
import type { RoomRoute } from '../../projections/routing-state.js';

/** Where a delivery came from: the sender's own device does not receive it back. */
export interface Origin {
  user: UserId | null;
  device: string | null;
  session: string | null;
}

export interface MessageDelivery {
  kind: 'message';
  /** The global position of the event: the message id and the cursor. */
  position: Position;
  at: string;
  origin: Origin;
  /** The message as history shows it. */
  message: MessageDocument;
  /** Its room as routed (live) or as it is now (replay): a dialect names a direct room by the peer. Null once the room is gone. */
  route: RoomRoute | null;
}

/** A message edited or deleted: sent to the room's members on the dialects that know it (legacy clients get nothing). */
export interface MessageChangeDelivery {
  kind: 'change';
  /** The position of the MessageEdited or MessageDeleted: the cursor. */
  position: Position;
  at: string;
  origin: Origin;
  change: 'edited' | 'deleted';
  room: number;
  messageId: Position;
  sender: UserId;
  /** An edit: the message's text now, and when it was last edited. Null for a deletion. */
  edit: { text: string; editedAt: string } | null;
  /** As MessageDelivery's. */
  route: RoomRoute | null;
}

export interface NotificationDelivery {
  kind: 'notification';
  position: Position;
  at: string;
  origin: Origin;
  /** The event type (ContactRequested, RoomMemberJoined, ...). */
  type: string;
  data: Record<string, unknown>;
}

/** Something a connected device is to receive, in either dialect. */
export type Delivery = MessageDelivery | MessageChangeDelivery | NotificationDelivery;

function originOf(event: RecordedEvent): Origin {
  return { user: event.metadata.actor ?? null, device: event.metadata.device ?? null, session: event.metadata.session ?? null };
}

export function messageDelivery(event: RecordedEvent<MessageSent>, route: RoomRoute | null): MessageDelivery {
  return storedMessageDelivery(messageDocument(event.position, event.data, event.metadata.at), route);
}

/** The same delivery, read back from the history read model for a replay. */
export function storedMessageDelivery(message: MessageDocument, route: RoomRoute | null): MessageDelivery {
  return {
    kind: 'message',
    position: message._id,
    at: message.at,
    origin: { user: message.sender, device: message.device, session: null },
    message,
    route,
  };
}

export function messageChangeDelivery(event: RecordedEvent<MessageChange>, route: RoomRoute | null): MessageChangeDelivery {
  const { roomId, messageId, sender } = event.data;
  return {
    kind: 'change',
    position: event.position,
    at: event.metadata.at,
    origin: originOf(event),
    change: event.type === 'MessageEdited' ? 'edited' : 'deleted',
    room: roomId,
    messageId,
    sender,
    edit: event.type === 'MessageEdited' ? { text: event.data.text, editedAt: event.metadata.at } : null,
    route,
  };
}

/**
 * The same delivery read back for a replay, with the message as it is now (`current`): a
 * replayed edit shows the latest text; one whose message is gone by now replays as its deletion.
 */
export function storedMessageChangeDelivery(
  change: MessageChangeDocument,
  current: MessageDocument | null,
  route: RoomRoute | null,
): MessageChangeDelivery {
  const edit =
    change.change === 'edited' && current !== null ? { text: current.text ?? '', editedAt: current.editedAt ?? change.at } : null;
  return {
    kind: 'change',
    position: change._id,
    at: change.at,
    origin: { user: change.actor, device: change.device, session: null },
    change: edit === null ? 'deleted' : 'edited',
    room: change.room,
    messageId: change.message,
    sender: change.sender,
    edit,
    route,
  };
}

export function notificationDelivery(event: RecordedEvent<ContactEvent | RoomEvent>): NotificationDelivery {
  return {
    kind: 'notification',
    position: event.position,
    at: event.metadata.at,
    origin: originOf(event),
    type: event.type,
    data: event.data,
  };
}

/** The same delivery, read back from the notifications read model for a replay. */
export function storedNotificationDelivery(document: NotificationDocument): NotificationDelivery {
  return {
    kind: 'notification',
    position: document._id,
    at: document.at,
    origin: { user: document.actor, device: document.device, session: document.session },
    type: document.type,
    data: document.data,
  };
}

/** Whether a device is where the delivery came from, and so already knows it. */
export function cameFrom(delivery: Delivery, user: UserId, device: string): boolean {
  return delivery.origin.user === user && delivery.origin.device === device;
}
