/**
 * The thread SqlitePageReader reads on: its own read-only connection to the log, so that the
 * SQLite work of a long catch-up runs beside the projecting instead of before it.
 */
import { openSqlite } from './open-sqlite.js';
import { parentPort, workerData } from 'node:worker_threads';
import type { PageColumns, PageReply, PageRequest } from './sqlite-page-reader.js';
import { EVENTS_AFTER, type EventTuple } from './sqlite-events-table.js';

const db = openSqlite(workerData as string, { readonly: true, fileMustExist: true });
const after = db.prepare<[number, number], EventTuple>(EVENTS_AFTER).raw(true);

/**
 * The page after the last one sent, read while the reader was busy with that one: a catch-up
 * asks for it next, and gets it without waiting for SQLite. The log only grows at its end, so
 * a page read early is still a true prefix of what follows its position (at worst short, and
 * the reader goes on from there).
 */
let ahead: { from: number; limit: number; page: PageColumns } | null = null;

parentPort?.on('message', ({ id, from, limit }: PageRequest) => {
  let reply: PageReply;
  try {
    const page = ahead && ahead.from === from && ahead.limit === limit ? ahead.page : columnsOf(after.all(from, limit));
    ahead = null;
    reply = { id, ...page };
  } catch (error) {
    ahead = null;
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
  if ('positions' in reply && reply.positions.length === limit) readAhead(reply.positions[limit - 1] as number, limit);
});

function readAhead(from: number, limit: number): void {
  try {
    ahead = { from, limit, page: columnsOf(after.all(from, limit)) };
  } catch {
    ahead = null; // read again when asked, and the error answered then
  }
}

/**
 * Column by column, with the JSON texts joined into one array text each: the receiving thread
 * then parses two texts per page rather than two per event, and copies three strings per event
 * across threads rather than five.
 */
function columnsOf(rows: readonly EventTuple[]): PageColumns {
  return {
    positions: rows.map((row) => row[0]),
    ids: rows.map((row) => row[1]),
    streams: rows.map((row) => row[2]),
    revisions: rows.map((row) => row[3]),
    types: rows.map((row) => row[4]),
    data: `[${rows.map((row) => row[5]).join(',')}]`,
    metadata: `[${rows.map((row) => row[6]).join(',')}]`,
    created: rows.map((row) => row[7]),
  };
}
