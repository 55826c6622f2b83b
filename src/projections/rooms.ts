import type { RecordedEvent, UserId } from '../events/recorded-event.js';
import { roomEventTypes, type RoomEvent, type RoomId, type RoomKind } from '../events/room.js';
import type { Projection, ReadOperation } from './projection.js';
import type { ReadModels } from './read-models.js';

/** A room as readers see it. A deleted room keeps its last members, for the record. */
export interface RoomDocument {
  _id: RoomId;
  kind: RoomKind;
  name: string | null;
  creator: UserId;
  /** The invite key of a group; null for a direct room or a room nobody may join by key. */
  key: string | null;
  /** Sorted by id. */
  members: UserId[];
  /** The members, sorted and joined by commas: finds the room of an exact set of people in one lookup. */
  membersKey: string;
  deleted: boolean;
  createdAt: string;
  [key: string]: unknown;
}

export const ROOMS = 'rooms';

/** The one key of a set of users, whatever their order and repeats. */
export function membersKey(members: Iterable<UserId>): string {
  return [...new Set(members)].sort((a, b) => a - b).join(',');
}

export function roomCollection(read: ReadModels) {
  return read.collection<RoomDocument>('rooms', ROOMS);
}

/**
 * Every room event carries the members once it is applied, so each one sets them outright:
 * applying an event twice, or replaying from an older checkpoint, ends in the same state.
 */
export const roomsProjection: Projection<RoomEvent> = {
  name: 'rooms',
  version: 1,
  eventTypes: roomEventTypes,
  collections: [{ name: ROOMS, indexes: [{ keys: { members: 1 } }, { keys: { membersKey: 1 } }] }],
  project(event: RecordedEvent<RoomEvent>): ReadOperation[] {
    const members = [...event.data.members].sort((a, b) => a - b);
    const membership = { members, membersKey: membersKey(members) };
    return [
      {
        collection: ROOMS,
        operation: {
          updateOne: {
            filter: { _id: event.data.roomId },
            update: { $set: changes(event, membership, event.metadata.at) },
            upsert: true,
          },
        },
      },
    ];
  },
};

function changes(event: RoomEvent, membership: Pick<RoomDocument, 'members' | 'membersKey'>, at: string): Partial<RoomDocument> {
  switch (event.type) {
    case 'RoomCreated': {
      const { kind, name, creator, key } = event.data;
      return { kind, name, creator, key, deleted: false, createdAt: at, ...membership };
    }
    case 'RoomKeyRotated':
      return { key: event.data.key, ...membership };
    // A deletion names who was in the room: the members stay as they were.
    case 'RoomDeleted':
      return { deleted: true };
    default:
      return membership;
  }
}
