import { contactEventTypes, type ContactEvent } from '../events/contact.js';
import type { RecordedEvent, UserId } from '../events/recorded-event.js';
import { roomEventTypes, type RoomEvent } from '../events/room.js';
import { ERASED_TEXT } from '../events/personal-data.js';
import type { UserErased } from '../events/user.js';
import type { Projection, ReadOperation } from './projection.js';

/**
 * Every contact and group event as it concerns people: who must hear of it (`audience`), for
 * replay to devices that were away. Memberships record when each user was in each room, so
 * the messages a device missed can be found room by room.
 */
export interface NotificationDocument {
  /** The event's global position: its cursor. */
  _id: number;
  audience: UserId[];
  type: string;
  data: Record<string, unknown>;
  actor: UserId | null;
  device: string | null;
  session: string | null;
  at: string;
  [key: string]: unknown;
}

export interface MembershipDocument {
  _id: string;
  user: UserId;
  room: number;
  joinedAt: number;
  /** Position of the event that ended it; null while a member. */
  leftAt: number | null;
  [key: string]: unknown;
}

/** The events that are notifications to someone. */
export const notificationEventTypes = [...contactEventTypes, ...roomEventTypes] as const;

/** Who hears of an event: the contact pair, or the room's members (and the one who went). */
export function audienceOf(event: ContactEvent | RoomEvent): UserId[] {
  switch (event.type) {
    case 'ContactRequested':
      return [event.data.from, event.data.to];
    case 'ContactAccepted':
    case 'ContactDeclined':
      return [event.data.by, event.data.requester];
    case 'ContactRequestCancelled':
      return [event.data.by, event.data.target];
    case 'ContactDeleted':
      return [event.data.by, event.data.other];
    case 'RoomCreated':
      return event.data.members;
    case 'RoomMemberJoined':
      // At creation everyone hears once, of the room being created, not of every join.
      return event.data.via === 'creation' ? [] : event.data.members;
    case 'RoomMemberLeft':
    case 'RoomMemberRemoved':
      return [...new Set([...event.data.members, event.data.userId])];
    case 'RoomDeleted':
    case 'RoomKeyRotated':
      return event.data.members;
  }
}

export const notificationsProjection: Projection<ContactEvent | RoomEvent | UserErased> = {
  name: 'notifications',
  version: 1,
  eventTypes: [...notificationEventTypes, 'UserErased'],
  collections: [
    { name: 'notifications', indexes: [{ keys: { audience: 1, _id: 1 } }] },
    { name: 'memberships', indexes: [{ keys: { user: 1 } }, { keys: { room: 1 } }] },
  ],
  project(event: RecordedEvent<ContactEvent | RoomEvent | UserErased>): ReadOperation[] {
    if (event.type === 'UserErased') {
      // A replayed contact request carries the greeting: it reads as a rebuild would read it.
      const filter = { type: 'ContactRequested', 'data.from': event.data.userId };
      return [{ collection: 'notifications', operation: { updateMany: { filter, update: { $set: { 'data.ask': ERASED_TEXT } } } } }];
    }
    const document: NotificationDocument = {
      _id: event.position,
      audience: audienceOf(event),
      type: event.type,
      data: event.data,
      actor: event.metadata.actor ?? null,
      device: event.metadata.device ?? null,
      session: event.metadata.session ?? null,
      at: event.metadata.at,
    };
    const notification: ReadOperation = {
      collection: 'notifications',
      operation: { replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } },
    };
    return [notification, ...membershipOperations(event, event.position)];
  },
};

function membershipOperations(event: ContactEvent | RoomEvent, position: number): ReadOperation[] {
  switch (event.type) {
    case 'RoomMemberJoined': {
      const { userId, roomId } = event.data;
      const document: MembershipDocument = { _id: `${userId}:${roomId}`, user: userId, room: roomId, joinedAt: position, leftAt: null };
      return [
        { collection: 'memberships', operation: { replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } } },
      ];
    }
    case 'RoomMemberLeft':
    case 'RoomMemberRemoved': {
      const { userId, roomId } = event.data;
      return [
        {
          collection: 'memberships',
          operation: { updateOne: { filter: { _id: `${userId}:${roomId}` }, update: { $set: { leftAt: position } } } },
        },
      ];
    }
    case 'RoomDeleted':
      return [
        {
          collection: 'memberships',
          operation: { updateMany: { filter: { room: event.data.roomId, leftAt: null }, update: { $set: { leftAt: position } } } },
        },
      ];
    default:
      return [];
  }
}
