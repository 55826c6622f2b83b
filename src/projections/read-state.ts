import type { Position, RecordedEvent, UserId } from '../events/recorded-event.js';
import { readStateEventTypes, type ReadStateEvent } from '../events/read-state.js';
import type { RoomId } from '../events/room.js';
import type { Projection, ReadOperation } from './projection.js';
import type { ReadModels } from './read-models.js';

/** Where one member has read a room up to: `_id` is `<user>:<room>`. */
export interface ReadMarkerDocument {
  _id: string;
  user: UserId;
  room: RoomId;
  /** The id of the last message read. */
  upTo: Position;
  [key: string]: unknown;
}

/** A member's read settings, by user id; no document: the defaults (receipts on). */
export interface ReadSettingsDocument {
  _id: UserId;
  receipts: boolean;
  [key: string]: unknown;
}

export const READ_MARKERS = 'read_markers';
export const READ_SETTINGS = 'read_settings';

export const readMarkerId = (userId: UserId, roomId: RoomId): string => `${userId}:${roomId}`;

export function readMarkerCollection(read: ReadModels) {
  return read.collection<ReadMarkerDocument>('read-state', READ_MARKERS);
}

export function readSettingsCollection(read: ReadModels) {
  return read.collection<ReadSettingsDocument>('read-state', READ_SETTINGS);
}

/**
 * Read markers and receipt settings. A marker only moves forward: `$max`, so two devices that
 * mark at once, a replay, or an event recorded after a later one leave it at the furthest.
 */
export const readStateProjection: Projection<ReadStateEvent> = {
  name: 'read-state',
  version: 1,
  eventTypes: readStateEventTypes,
  collections: [
    { name: READ_MARKERS, indexes: [{ keys: { user: 1 } }, { keys: { room: 1 } }] },
    { name: READ_SETTINGS, indexes: [] },
  ],
  project(event: RecordedEvent<ReadStateEvent>): ReadOperation[] {
    if (event.type === 'ReadReceiptsChanged') {
      const { userId, enabled } = event.data;
      return [
        {
          collection: READ_SETTINGS,
          operation: { replaceOne: { filter: { _id: userId }, replacement: { _id: userId, receipts: enabled }, upsert: true } },
        },
      ];
    }
    const { userId, roomId, upTo } = event.data;
    return [
      {
        collection: READ_MARKERS,
        operation: {
          updateOne: {
            filter: { _id: readMarkerId(userId, roomId) },
            update: { $set: { user: userId, room: roomId }, $max: { upTo } },
            upsert: true,
          },
        },
      },
    ];
  },
};
