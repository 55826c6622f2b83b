/**
 * The thread SqlitePageReader reads on: its own read-only connection to the log, so that the
 * SQLite work of a long catch-up runs beside the projecting instead of before it, and so does
 * the work a subscriber asks to have done on the pages' data (ports/page-work.ts).
 */
import { openSqlite } from './open-sqlite.js';
import { parentPort, workerData } from 'node:worker_threads';
import type { PageWorker, PageWorkMaker } from '../ports/page-work.js';
import type { PageColumns, PageReply, PageRequest, PageThreadMessage } from './sqlite-page-reader.js';
import { threadClock } from './thread-clock.js';
import { EVENTS_AFTER, type EventTuple } from './sqlite-events-table.js';

const db = openSqlite(workerData as string, { readonly: true, fileMustExist: true });
const after = db.prepare<[number, number], EventTuple>(EVENTS_AFTER).raw(true);

/**
 * The works installed, by number, each made once. One that could not be made is not done: the
 * subscriber does it then, for every event (ports/page-work.ts), slower but the same.
 */
const works = new Map<number, PageWorker>();

/**
 * The page after the last one sent, read (and worked on) while the reader was busy with that
 * one: a catch-up asks for it next, and gets it without waiting. The log only grows at its end,
 * so a page read early is still a true prefix of what follows its position (at worst short, and
 * the reader goes on from there).
 */
let ahead: { from: number; limit: number; work: number | undefined; page: PageColumns; ready: number } | null = null;

/**
 * The part of each page's rows the work is done on here, the rest left to the reader's thread:
 * the two threads share it so that neither waits for the other. When the reader asked for a page
 * read ahead before it was ready, this thread is the slower one and does less; when the page
 * waited for the reader, more. A rebuild, slow on the reader's side, leaves all of it here.
 */
let share = 1;
const SHARE_STEP = 1 / 8;
/** Whether the page last asked for had been read ahead. */
let followed = false;

/** Messages are handled one at a time, in order: a work may wait (for keys) between reading a page and sending it. */
let turn = Promise.resolve();
parentPort?.on('message', (message: PageThreadMessage) => {
  turn = turn.then(() => (message.kind === 'work' ? install(message.work, message.module, message.data) : answer(message)));
});

async function install(work: number, module: string, data: unknown): Promise<void> {
  try {
    const made = ((await import(module)) as { default: PageWorkMaker }).default;
    works.set(work, made(data));
  } catch {
    works.delete(work);
  }
}

async function answer({ id, from, limit, work, sent }: PageRequest): Promise<void> {
  let reply: PageReply;
  try {
    const early = ahead;
    ahead = null;
    const hit = early !== null && early.from === from && early.limit === limit && early.work === work;
    // The reader asks for a page when it starts on the one before: the page read ahead was ready by
    // then, or the reader (done with the page before that) waits for it. The first read ahead of a
    // catch-up has nothing before it to compare with.
    if (hit && followed && work !== undefined)
      share = early.ready > sent ? Math.max(0, share - SHARE_STEP) : Math.min(1, share + SHARE_STEP);
    followed = hit;
    const page = hit ? early.page : await pageOf(from, limit, work);
    reply = { id, ...page };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply);
  if ('positions' in reply && reply.positions.length === limit) await readAhead(reply.positions[limit - 1] as number, limit, work);
}

async function readAhead(from: number, limit: number, work: number | undefined): Promise<void> {
  try {
    const page = await pageOf(from, limit, work);
    ahead = { from, limit, work, page, ready: threadClock() };
  } catch {
    ahead = null; // read again when asked, and the error answered then
  }
}

async function pageOf(from: number, limit: number, work: number | undefined): Promise<PageColumns> {
  const rows = after.all(from, limit);
  const data = rows.map((row) => row[5]);
  const worker = work === undefined ? undefined : works.get(work);
  if (worker === undefined) return columnsOf(rows, data);
  const done = Math.round(rows.length * share);
  if (done === 0) return columnsOf(rows, data);
  const part = data.slice(0, done);
  const stamp = await worker({ types: rows.slice(0, done).map((row) => row[4]), data: part });
  return { ...columnsOf(rows, part.concat(data.slice(done))), stamp };
}

/**
 * Column by column, with the JSON texts joined into one array text each: the receiving thread
 * then parses two texts per page rather than two per event, and copies three strings per event
 * across threads rather than five.
 */
function columnsOf(rows: readonly EventTuple[], data: readonly string[]): PageColumns {
  return {
    positions: rows.map((row) => row[0]),
    ids: rows.map((row) => row[1]),
    streams: rows.map((row) => row[2]),
    revisions: rows.map((row) => row[3]),
    types: rows.map((row) => row[4]),
    data: `[${data.join(',')}]`,
    metadata: `[${rows.map((row) => row[6]).join(',')}]`,
    created: rows.map((row) => row[7]),
  };
}
