import { contactEventTypes } from '../../events/contact.js';
import { messageChangeEventTypes, messageEventTypes } from '../../events/message.js';
import type { StoredEvent } from '../../events/eschat-event.js';
import type { UserId } from '../../events/recorded-event.js';
import { readStateEventTypes } from '../../events/read-state.js';
import { roomEventTypes } from '../../events/room.js';
import { sessionEventTypes } from '../../events/session.js';
import { userEventTypes } from '../../events/user.js';

/** The fields of event data that name a person, whatever the event. */
const PERSON_FIELDS = ['userId', 'from', 'to', 'by', 'requester', 'target', 'other', 'sender', 'creator', 'owner'] as const;

/**
 * Events whose `members` are what the event is about: who was put in a room by its creation,
 * who lost it by its deletion, whose direct room it is. Other room events carry the members
 * only to route notifications: a join is about the one who joined, not about everyone there.
 */
const ABOUT_MEMBERS: ReadonlySet<string> = new Set(['RoomCreated', 'RoomDeleted', 'DirectRoomClaimed']);

/** Every event type that can be by or about a person: what `eschat audit user` reads. */
export const personEventTypes: readonly string[] = [
  ...userEventTypes,
  'ValueClaimed',
  'ValueReleased',
  ...sessionEventTypes,
  ...contactEventTypes,
  ...roomEventTypes,
  'DirectRoomClaimed',
  ...messageEventTypes,
  ...messageChangeEventTypes,
  'MediaUploaded',
  ...readStateEventTypes,
];

/** Everyone `event` is by (its actor) or about (the people its data names), without repeats. */
export function peopleOf(event: Pick<StoredEvent, 'type' | 'data' | 'metadata'>): UserId[] {
  const people = new Set<UserId>();
  if (event.metadata.actor !== undefined) people.add(event.metadata.actor);
  const data: Record<string, unknown> = isRecord(event.data) ? event.data : {};
  for (const field of PERSON_FIELDS) {
    const value = data[field];
    if (typeof value === 'number') people.add(value);
  }
  if (ABOUT_MEMBERS.has(event.type) && Array.isArray(data['members'])) {
    for (const member of data['members']) if (typeof member === 'number') people.add(member);
  }
  return [...people];
}

/** Whether `event` is by or about `userId`: the rule of `audit user` and `events tail --user`. */
export function involves(event: Pick<StoredEvent, 'type' | 'data' | 'metadata'>, userId: UserId): boolean {
  return peopleOf(event).includes(userId);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
