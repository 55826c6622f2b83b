import { EventTypes } from '../../events/event-types.js';
import { messageChangeStream, messageEventTypes, type MessageSent } from '../../events/message.js';
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
  /** Its edits (each version's text) and its deletion, in order: the stream `message-<id>`. */
  changes: AuditEntry[];
}

/** A message by id (the global position of its MessageSent), and its room at that moment; null when there is none. */
export async function auditMessage(store: EventStore, id: Position, options: EntryOptions): Promise<MessageAudit | null> {
  const event = await store.readAt(id);
  if (event === null || !messagesSent.has(event)) return null;
  const [roomEvents, changes] = await Promise.all([
    roomEventsAt(store, event.data.roomId, { position: id }),
    store.readStream(messageChangeStream(id)),
  ]);
  const people = await People.load(store, [event, ...roomEvents, ...changes].flatMap(peopleOf));
  const room = foldRoom(roomEvents);
  return {
    message: auditEntry(event, people, options),
    room: room && namedRoom(room, people),
    changes: changes.map((change) => auditEntry(change, people, options)),
  };
}
