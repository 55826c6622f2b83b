import type { DomainEvent, StreamName, UserId } from './recorded-event.js';
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

export type MessageEvent = MessageSent;

export const messageEventTypes = ['MessageSent'] as const;
