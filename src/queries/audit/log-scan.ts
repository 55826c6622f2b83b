import type { StoredEvent } from '../../events/eschat-event.js';
import type { Position } from '../../events/recorded-event.js';
import type { EventFilter, EventStore } from '../../store/ports/event-store.js';
import { heldAt, lastPositionOf, type AuditMoment } from './moment.js';

/** How far a scan is: for a progress bar (positions may not be event counts, e.g. EventStoreDB's). */
export interface ScanProgress {
  position: Position;
  /** The head of the log when the scan began: where it ends. */
  head: Position;
  /** Events read so far (those the filter let through). */
  events: number;
}

export interface ScanOptions {
  filter?: EventFilter;
  moment?: AuditMoment | null;
  onProgress?: (progress: ScanProgress) => void;
}

const PAGE = 2000;

/**
 * The events of the log that match `filter` and were held at `moment`, in position order,
 * page by page. The scan ends at the head it found when it began, so an audit describes one
 * consistent log even while servers keep appending.
 */
export async function* scanLog(store: EventStore, options: ScanOptions = {}): AsyncGenerator<StoredEvent> {
  const moment = options.moment ?? null;
  const head = await store.headPosition();
  const end = Math.min(head, lastPositionOf(moment));
  let position = 0;
  let events = 0;
  for (;;) {
    const page = await store.readAll({ from: position, maxCount: PAGE, filter: options.filter });
    for (const event of page) {
      if (event.position > end) break;
      events += 1;
      if (heldAt(moment, event)) yield event;
    }
    position = page.at(-1)?.position ?? end;
    options.onProgress?.({ position: Math.min(position, end), head: end, events });
    if (page.length < PAGE || position >= end) return;
  }
}
