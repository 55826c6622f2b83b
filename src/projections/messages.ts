import type { MessageChange, MessageKind, MessageSent } from '../events/message.js';
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
  /** ISO-8601 time of its latest edit; absent while never edited. */
  editedAt?: string;
  [key: string]: unknown;
}

/**
 * An edit or a deletion, by the position of its event: what replays send a device that was away.
 * It holds no text: a replayed edit shows the message's text as it is then (a later edit's, or
 * none once deleted), so a deleted text stays in no document.
 */
export interface MessageChangeDocument {
  _id: Position;
  room: RoomId;
  message: Position;
  change: 'edited' | 'deleted';
  /** Who sent the message. */
  sender: UserId;
  /** Who changed it, from which device, when. */
  actor: UserId | null;
  device: string | null;
  at: string;
  [key: string]: unknown;
}

export const MESSAGES = 'messages';
export const MESSAGE_CHANGES = 'message_changes';

export function messageCollection(read: ReadModels) {
  return read.collection<MessageDocument>('messages', MESSAGES);
}

export function messageChangeCollection(read: ReadModels) {
  return read.collection<MessageChangeDocument>('messages', MESSAGE_CHANGES);
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

/**
 * History per room, in position order, and each room's edits and deletions. An edit sets the
 * message's text and `editedAt`; a deletion removes the message's document and the documents
 * of its edits; an erased sender's messages keep their place and lose their content.
 * (Retried sends are answered by RecentSends, not from here.)
 */
export const messagesProjection: Projection<MessageSent | MessageChange | UserErased> = {
  name: 'messages',
  version: 2,
  eventTypes: ['MessageSent', 'MessageEdited', 'MessageDeleted', 'UserErased'],
  collections: [
    { name: MESSAGES, indexes: [{ keys: { room: 1, _id: 1 } }] },
    { name: MESSAGE_CHANGES, indexes: [{ keys: { room: 1, _id: 1 } }, { keys: { message: 1 } }] },
  ],
  project(event: RecordedEvent<MessageSent | MessageChange | UserErased>): ReadOperation[] {
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
    if (event.type === 'MessageSent') {
      const document = messageDocument(event.position, event.data, event.metadata.at);
      return [{ collection: MESSAGES, operation: { replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } } }];
    }
    const { roomId, messageId, sender } = event.data;
    const change: MessageChangeDocument = {
      _id: event.position,
      room: roomId,
      message: messageId,
      change: event.type === 'MessageEdited' ? 'edited' : 'deleted',
      sender,
      actor: event.metadata.actor ?? null,
      device: event.metadata.device ?? null,
      at: event.metadata.at,
    };
    const recorded: ReadOperation = {
      collection: MESSAGE_CHANGES,
      operation: { replaceOne: { filter: { _id: change._id }, replacement: change, upsert: true } },
    };
    if (event.type === 'MessageEdited') {
      const update = { $set: { text: event.data.text, editedAt: event.metadata.at } };
      return [{ collection: MESSAGES, operation: { updateOne: { filter: { _id: messageId }, update } } }, recorded];
    }
    return [
      { collection: MESSAGES, operation: { deleteOne: { filter: { _id: messageId } } } },
      { collection: MESSAGE_CHANGES, operation: { deleteMany: { filter: { message: messageId } } } },
      recorded,
    ];
  },
};
