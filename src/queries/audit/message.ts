import { EventTypes } from '../../events/event-types.js';
import { messageEventTypes, type MessageSent } from '../../events/message.js';
import type { Position } from '../../events/recorded-event.js';
import type { EventStore } from '../../store/ports/event-store.js';
import { auditEntry, type AuditEntry, type EntryOptions } from './entry.js';
import { peopleOf } from './involvement.js';
import { People } from './people.js';
import { foldRoom, namedRoom, roomEventsAt, type NamedRoom } from './room.js';

const messagesSent = new EventTypes<MessageSent>(messageEventTypes);

export interface MessageAudit {
  message: AuditEntry;
  /** The room as it was when the message was sent: its members are who could read it then. */
  room: NamedRoom | null;
}

/** A message by id (the global position of its MessageSent), and its room at that moment; null when there is none. */
export async function auditMessage(store: EventStore, id: Position, options: EntryOptions): Promise<MessageAudit | null> {
  const event = await store.readAt(id);
  if (event === null || !messagesSent.has(event)) return null;
  const roomEvents = await roomEventsAt(store, event.data.roomId, { position: id });
  const people = await People.load(store, [event, ...roomEvents].flatMap(peopleOf));
  const room = foldRoom(roomEvents);
  return { message: auditEntry(event, people, options), room: room && namedRoom(room, people) };
}
