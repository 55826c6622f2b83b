import type { MessageKind, MessageSent } from '../events/message.js';
import { ERASED_TEXT } from '../events/personal-data.js';
import type { UserErased } from '../events/user.js';
import type { Position, RecordedEvent, UserId } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';
import type { Projection, ReadOperation } from './projection.js';
import type { ReadModels } from './read-models.js';

/** A message as history shows it; `_id` is the global position of its MessageSent. */
export interface MessageDocument {
  _id: Position;
  room: RoomId;
  sender: UserId;
  /** The device it was sent from: replays to the sender's devices skip that one. */
  device: string;
  kind: MessageKind;
  text: string | null;
  mediaId: string | null;
  clientId: string | null;
  /** ISO-8601 time it was sent. */
  at: string;
  [key: string]: unknown;
}

export const MESSAGES = 'messages';

export function messageCollection(read: ReadModels) {
  return read.collection<MessageDocument>('messages', MESSAGES);
}

/** The document of a MessageSent: what the projection stores, and what a send answers at once. */
export function messageDocument(position: Position, data: MessageSent['data'], at: string): MessageDocument {
  return {
    _id: position,
    room: data.roomId,
    sender: data.sender,
    device: data.device,
    kind: data.kind,
    text: data.text,
    mediaId: data.mediaId,
    clientId: data.clientId,
    at,
  };
}

/** History per room, in position order. (Retried sends are answered by RecentSends, not from here.) */
export const messagesProjection: Projection<MessageSent | UserErased> = {
  name: 'messages',
  version: 1,
  eventTypes: ['MessageSent', 'UserErased'],
  collections: [{ name: MESSAGES, indexes: [{ keys: { room: 1, _id: 1 } }] }],
  project(event: RecordedEvent<MessageSent | UserErased>): ReadOperation[] {
    if (event.type === 'UserErased') {
      // The sender's messages stay in their rooms' history (ids, times, order), their content goes.
      const sender = event.data.userId;
      return [
        { collection: MESSAGES, operation: { updateMany: { filter: { sender, kind: 'text' }, update: { $set: { text: ERASED_TEXT } } } } },
        {
          collection: MESSAGES,
          operation: { updateMany: { filter: { sender, kind: { $ne: 'text' } }, update: { $set: { mediaId: null } } } },
        },
      ];
    }
    const document = messageDocument(event.position, event.data, event.metadata.at);
    return [{ collection: MESSAGES, operation: { replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } } }];
  },
};
