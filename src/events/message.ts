import type { DomainEvent, Position, StreamName, UserId } from './recorded-event.js';
import type { RoomId } from './room.js';

/**
 * A room's messages, chunked by UTC day so no stream grows without bound:
 * `messages-<room>-<YYYYMMDD>`. A message's id is the global position of its MessageSent:
 * stable, unique, and ordered within the room.
 */
export const messageStream = (roomId: RoomId, at: Date): StreamName =>
  `messages-${roomId}-${at.toISOString().slice(0, 10).replaceAll('-', '')}`;

export type MessageKind = 'text' | 'audio' | 'video' | 'image';

export type MessageSent = DomainEvent<
  'MessageSent',
  {
    roomId: RoomId;
    sender: UserId;
    device: string;
    /** The sender's own id for the message: a retry with the same one is the same message. */
    clientId: string | null;
    kind: MessageKind;
    /** The text of a text message; null for media. */
    text: string | null;
    /** The uploaded media of an audio, video or image message; null for text. */
    mediaId: string | null;
  }
>;

/**
 * What happened to a message after it was sent: in a stream of its own, `message-<id>`, so
 * that an edit and a delete racing each other are ordered by its revisions.
 */
export const messageChangeStream = (messageId: Position): StreamName => `message-${messageId}`;

/** The sender gave a text message a new text (every version stays in the log, for the audit). */
export type MessageEdited = DomainEvent<
  'MessageEdited',
  {
    roomId: RoomId;
    messageId: Position;
    /** Who sent the message: only they edit it. */
    sender: UserId;
    /** The new text: personal content, as MessageSent's `text`. */
    text: string;
  }
>;

/** The sender or the group's creator deleted a message: its content leaves every read model. */
export type MessageDeleted = DomainEvent<'MessageDeleted', { roomId: RoomId; messageId: Position; sender: UserId; by: UserId }>;

export type MessageChange = MessageEdited | MessageDeleted;

export type MessageEvent = MessageSent;

export const messageEventTypes = ['MessageSent'] as const;

export const messageChangeEventTypes = ['MessageEdited', 'MessageDeleted'] as const;
