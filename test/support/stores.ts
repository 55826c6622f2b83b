import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '../../src/store/ports/event-store.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';

/** A real SQLite event log in a fresh temporary directory. */
export async function tempEventStore(): Promise<EventStore> {
  const dir = mkdtempSync(join(tmpdir(), 'eschat-store-'));
  return SqliteEventStore.open({ file: join(dir, 'events.db'), durability: 'normal' });
}

export const meta = { correlationId: 'test', at: '2026-01-01T00:00:00.000Z' };
