import type { StreamName } from '../../events/recorded-event.js';
import type { EventStore } from '../../store/ports/event-store.js';
import { auditEntries, type AuditEntry, type EntryOptions } from './entry.js';
import { heldAt, type AuditMoment } from './moment.js';

/** Every event of one stream the log held at `moment`, oldest first; empty when there was none. */
export async function auditStream(
  store: EventStore,
  stream: StreamName,
  options: EntryOptions & { moment?: AuditMoment | null },
): Promise<AuditEntry[]> {
  const events = (await store.readStream(stream)).filter((event) => heldAt(options.moment ?? null, event));
  return auditEntries(store, events, options);
}
