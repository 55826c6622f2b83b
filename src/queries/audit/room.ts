import type { StoredEvent } from '../../events/eschat-event.js';
import { EventTypes } from '../../events/event-types.js';
import { messageChangeEventTypes, type MessageChange } from '../../events/message.js';
import type { UserId } from '../../events/recorded-event.js';
import { roomEventTypes, roomStream, type RoomEvent, type RoomId, type RoomKind } from '../../events/room.js';
import type { EventStore } from '../../store/ports/event-store.js';
import { auditEntry, type AuditEntry } from './entry.js';
import { peopleOf } from './involvement.js';
import { scanLog } from './log-scan.js';
import { describeMoment, heldAt, type AuditMoment } from './moment.js';
import { People } from './people.js';
import type { AuditOptions } from './options.js';

export interface NamedPerson {
  id: UserId;
  /** `login (#id)`, from the log. */
  label: string;
}

/** A room as its own stream says it was at a moment. */
export interface RoomAsOf {
  roomId: RoomId;
  kind: RoomKind;
  name: string | null;
  creator: UserId;
  /** Sorted by id; a deleted room keeps those who were in it. */
  members: UserId[];
  deleted: boolean;
  /** When the log recorded its creation, ISO-8601. */
  createdAt: string;
  /** How many times its invite key was replaced. */
  keyRotations: number;
}

/** A room's state with its people named. */
export type NamedRoom = Omit<RoomAsOf, 'creator' | 'members'> & { creator: NamedPerson; members: NamedPerson[] };

export interface RoomAudit {
  asOf: string;
  room: NamedRoom;
  /** The room's own events: creation, joins, departures, removals, key rotations, deletion. */
  history: AuditEntry[];
  /** Its messages, oldest first; texts only when asked for. */
  messages: AuditEntry[];
  /** The edits (with each version's text, when asked for) and deletions of its messages, oldest first. */
  changes: AuditEntry[];
  /** The label of everyone the audit names, by id. */
  people: Record<UserId, string>;
}

const roomEvents = new EventTypes<RoomEvent>(roomEventTypes);
const messageChanges = new EventTypes<MessageChange>(messageChangeEventTypes);

/** Folds the room's events; null before its creation. */
export function foldRoom(events: readonly StoredEvent[]): RoomAsOf | null {
  let state: RoomAsOf | null = null;
  for (const event of events) {
    if (!roomEvents.has(event)) continue;
    if (event.type === 'RoomCreated') {
      const { roomId, kind, name, creator, members } = event.data;
      state = {
        roomId,
        kind,
        name,
        creator,
        members: [...members],
        deleted: false,
        createdAt: new Date(event.created).toISOString(),
        keyRotations: 0,
      };
      continue;
    }
    if (state === null) continue;
    // Every room event names the members once it is applied (a deletion: those who were in).
    state = { ...state, members: [...event.data.members] };
    if (event.type === 'RoomDeleted') state.deleted = true;
    if (event.type === 'RoomKeyRotated') state.keyRotations += 1;
  }
  return state;
}

/** The room's own events the log held at `moment`. */
export async function roomEventsAt(store: EventStore, roomId: RoomId, moment: AuditMoment | null): Promise<StoredEvent[]> {
  return (await store.readStream(roomStream(roomId))).filter((event) => heldAt(moment, event));
}

/**
 * A room as it was at a moment, computed from the log: its stream folded up to the moment,
 * and its day streams of messages (`messages-<id>-*`) read up to it. Null when the room did
 * not exist yet.
 */
export async function auditRoom(store: EventStore, roomId: RoomId, options: AuditOptions): Promise<RoomAudit | null> {
  const moment = options.moment ?? null;
  const events = await roomEventsAt(store, roomId, moment);
  const state = foldRoom(events);
  if (state === null) return null;
  const messages: StoredEvent[] = [];
  const changes: StoredEvent[] = [];
  // The room's day streams, as events/message.ts names them (`messages-<room>-<YYYYMMDD>`), and
  // every message's own stream of changes (`message-<id>`), which name their room in their data.
  const filter = { eventTypes: ['MessageSent', ...messageChangeEventTypes], streamPrefixes: [`messages-${roomId}-`, 'message-'] };
  for await (const event of scanLog(store, { filter, moment, onProgress: options.onProgress })) {
    if (!messageChanges.has(event)) messages.push(event);
    else if (event.data.roomId === roomId) changes.push(event);
  }
  const ids = [...events, ...messages, ...changes].flatMap(peopleOf);
  const people = await People.load(store, ids);
  return {
    asOf: describeMoment(moment),
    room: namedRoom(state, people),
    history: events.map((event) => auditEntry(event, people, options)),
    messages: messages.map((event) => auditEntry(event, people, options)),
    changes: changes.map((event) => auditEntry(event, people, options)),
    people: Object.fromEntries(ids.map((id) => [id, people.label(id)])),
  };
}

export function namedRoom(state: RoomAsOf, people: People): NamedRoom {
  const named = (id: UserId): NamedPerson => ({ id, label: people.label(id) });
  return { ...state, creator: named(state.creator), members: state.members.map(named) };
}
