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

/** A page read (and worked on) before it was asked for, and when it was ready. */
interface Ahead {
  from: number;
  limit: number;
  work: number | undefined;
  page: PageColumns;
  ready: number;
}

/**
 * The pages after the last one sent, read (and worked on) while the reader was busy: a catch-up
 * asks for them next, and gets them without waiting. The log only grows at its end, so a page
 * read early is still a true prefix of what follows its position (at worst short, and the
 * reader goes on from there).
 */
const ahead: Ahead[] = [];
/**
 * How many: a projection runner takes pages in bursts (a batch of two pages, then a long
 * apply), so one page ahead left this thread idle through each apply and the reader waiting for
 * it after: a rebuild whose pages cost work here (sealed values) ran a quarter slower than one
 * whose pages did not. Two pages of 4,096 events are a few MB of this thread's memory.
 */
const AHEAD_PAGES = 2;

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
/** The reading ahead that follows the latest answer; one that followed an earlier answer stops. */
let chain = 0;

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
    const early = ahead[0];
    const hit = early !== undefined && early.from === from && early.limit === limit && early.work === work;
    // Another catch-up (or the same one gone elsewhere): what was read ahead is not what it follows.
    if (hit) ahead.shift();
    else ahead.length = 0;
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
  const mine = ++chain;
  if ('positions' in reply && reply.positions.length === limit) readAheadLater(mine, reply.positions[limit - 1] as number, limit, work);
}

/**
 * Reads the page after `from` ahead, in a turn of its own: a request that arrives meanwhile waits
 * for one page's work at most, not for all those ahead. Reads on while fewer than AHEAD_PAGES
 * wait and the last was full.
 */
function readAheadLater(mine: number, from: number, limit: number, work: number | undefined): void {
  setImmediate(() => {
    turn = turn.then(async () => {
      const last = ahead.at(-1);
      const follows = last === undefined ? from : last.page.positions.length === limit ? (last.page.positions[limit - 1] as number) : null;
      // Answered again meanwhile (that answer reads on), as far ahead as it goes, or at the log's end.
      if (mine !== chain || ahead.length >= AHEAD_PAGES || follows === null) return;
      try {
        const page = await pageOf(follows, limit, work);
        ahead.push({ from: follows, limit, work, page, ready: threadClock() });
      } catch {
        return; // read again when asked, and the error answered then
      }
      readAheadLater(mine, follows, limit, work);
    });
  });
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
