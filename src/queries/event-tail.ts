import type { StoredEvent } from '../events/eschat-event.js';
import type { Position, UserId } from '../events/recorded-event.js';
import type { EventFilter, EventStore } from '../store/ports/event-store.js';
import { involves } from './audit/involvement.js';

/** Which events a tail shows: any of these types, in streams with this prefix, by or about this user. */
export interface TailFilter {
  types?: readonly string[];
  streamPrefix?: string;
  userId?: UserId;
}

const PAGE = 500;

/** The part of the filter the store applies itself. */
function storeFilter(filter: TailFilter): EventFilter {
  return {
    ...(filter.types && filter.types.length > 0 ? { eventTypes: filter.types } : {}),
    ...(filter.streamPrefix ? { streamPrefixes: [filter.streamPrefix] } : {}),
  };
}

export function matchesTail(event: StoredEvent, filter: TailFilter): boolean {
  if (filter.types && filter.types.length > 0 && !filter.types.includes(event.type)) return false;
  if (filter.streamPrefix && !event.stream.startsWith(filter.streamPrefix)) return false;
  return filter.userId === undefined || involves(event, filter.userId);
}

/**
 * The last `count` matching events up to `head`, oldest first. The store filters types and
 * streams; "by or about a user" is checked here, reading back page by page until enough match.
 */
export async function recentEvents(store: EventStore, filter: TailFilter, count: number, head: Position): Promise<StoredEvent[]> {
  const found: StoredEvent[] = [];
  let before = head + 1;
  while (found.length < count) {
    const page = await store.readAll({ direction: 'backwards', from: before, maxCount: PAGE, filter: storeFilter(filter) });
    for (const event of page) if (found.length < count && matchesTail(event, filter)) found.push(event);
    const last = page.at(-1);
    if (!last || page.length < PAGE) break;
    before = last.position;
  }
  return found.reverse();
}
