import type { StoredEvent } from '../../src/events/eschat-event.js';
import type { ReadAllOptions } from '../../src/store/ports/event-store.js';
import { InstrumentedEventStore } from '../../src/store/instrumented-event-store.js';
import type { EventStore } from '../../src/store/ports/event-store.js';

/**
 * An event store that counts the rows its reads of the whole log pass over, as the SQLite log
 * (indexed by position only) does: a read filtered by type passes over every event of other
 * types between where it starts and the last it returns, or the end of the log when it
 * returns less than it asked for.
 */
export class ScanCountingStore extends InstrumentedEventStore {
  /** Rows passed over by readAll since the last reset. */
  scanned = 0;

  constructor(private readonly log: EventStore) {
    super(log, { appended: () => undefined });
  }

  override async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    const page = await this.log.readAll(options);
    const backwards = options.direction === 'backwards';
    const head = await this.log.headPosition();
    const start = options.from ?? (backwards ? head + 1 : 0);
    const full = options.maxCount !== undefined && page.length >= options.maxCount;
    const last = page.at(-1);
    const end = full && last ? last.position : backwards ? 0 : head + 1;
    this.scanned += Math.max(0, Math.abs(start - end) - (full ? 0 : 1));
    return page;
  }
}
