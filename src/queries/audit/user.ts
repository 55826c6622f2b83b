import type { StoredEvent } from '../../events/eschat-event.js';
import type { UserId } from '../../events/recorded-event.js';
import type { EventStore } from '../../store/ports/event-store.js';
import { auditEntries, type AuditEntry } from './entry.js';
import { involves, personEventTypes } from './involvement.js';
import { scanLog } from './log-scan.js';
import { describeMoment } from './moment.js';
import type { AuditOptions } from './options.js';
import { personOf, type Person } from './people.js';

export interface UserAudit {
  user: Person;
  asOf: string;
  /** Everything by or about the user, in log order: registration, sign-ins, contacts, rooms, messages. */
  entries: AuditEntry[];
}

/**
 * Everything by or about a user, computed from the log by reading every event of the kinds
 * that can name a person: O(log), which an audit can afford. Null when the user was not
 * registered at the moment.
 */
export async function auditUser(store: EventStore, userId: UserId, options: AuditOptions): Promise<UserAudit | null> {
  const user = await personOf(store, userId);
  if (!user) return null;
  const events: StoredEvent[] = [];
  const scan = scanLog(store, { filter: { eventTypes: personEventTypes }, moment: options.moment ?? null, onProgress: options.onProgress });
  for await (const event of scan) if (involves(event, userId)) events.push(event);
  if (!events.some((event) => event.type === 'UserRegistered')) return null;
  return { user, asOf: describeMoment(options.moment ?? null), entries: await auditEntries(store, events, options) };
}
