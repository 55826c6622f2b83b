import type { StoredEvent } from '../../events/eschat-event.js';
import type { Position, Revision, StreamName, UserId } from '../../events/recorded-event.js';
import type { EventStore } from '../../store/ports/event-store.js';
import { peopleOf } from './involvement.js';
import { People } from './people.js';
import { redactData } from './redaction.js';
import { summarize } from './summary.js';

/** One event as an audit shows it: who, when, from where, what — in data and in words. */
export interface AuditEntry {
  position: Position;
  /** When the log recorded it (the store's clock), ISO-8601. */
  at: string;
  stream: StreamName;
  revision: Revision;
  type: string;
  actor: UserId | null;
  device: string | null;
  session: string | null;
  address: string | null;
  summary: string;
  /** The event's data; credentials redacted, and content hidden unless asked for. */
  data: Record<string, unknown>;
}

export interface EntryOptions {
  /** Show message texts and contact greetings. */
  withContent: boolean;
}

/** The entries of `events`, with everyone they name looked up in the log once. */
export async function auditEntries(store: EventStore, events: readonly StoredEvent[], options: EntryOptions): Promise<AuditEntry[]> {
  const people = await People.load(store, events.flatMap(peopleOf));
  return events.map((event) => auditEntry(event, people, options));
}

export function auditEntry(event: StoredEvent, people: People, options: EntryOptions): AuditEntry {
  const { metadata } = event;
  return {
    position: event.position,
    at: new Date(event.created).toISOString(),
    stream: event.stream,
    revision: event.revision,
    type: event.type,
    actor: metadata.actor ?? null,
    device: metadata.device ?? null,
    session: metadata.session ?? null,
    address: metadata.address ?? null,
    summary: summarize(event, people, options.withContent),
    data: redactData(event.data, options.withContent),
  };
}
