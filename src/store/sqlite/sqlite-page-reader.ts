import { Worker } from 'node:worker_threads';
import type { EventMetadata, Position, Revision, StreamName } from '../../events/recorded-event.js';
import type { StoredEvent } from '../../events/eschat-event.js';
import { storedEvent } from '../../events/stored-event.js';
import type { ThreadedPageWork } from '../ports/page-work.js';
import { threadClock } from './thread-clock.js';

export interface PageRequest {
  kind: 'page';
  id: number;
  from: Position;
  limit: number;
  /** The work to do on the page's data (installed on the thread before), if any. */
  work?: number;
  /** When it was asked for (`threadClock()`): the thread learns from it whether the reader waited for the page. */
  sent: number;
}

/** Installs a work on the thread, under a number of the reader's. */
export interface WorkInstall {
  kind: 'work';
  work: number;
  module: string;
  data: unknown;
}

export type PageThreadMessage = PageRequest | WorkInstall;

/** A page as the thread sends it: one array per column, data and metadata as one JSON array text each. */
export interface PageColumns {
  positions: Position[];
  ids: string[];
  streams: StreamName[];
  revisions: Revision[];
  types: string[];
  data: string;
  metadata: string;
  created: number[];
  /** The work's stamp, when the page was worked on. */
  stamp?: number;
}

export type PageReply = { id: number } & (PageColumns | { error: string });

/** The page; or 'stale' when its work no longer holds (ThreadedPageWork.current), and the page must be read again. */
export type PageCallback = (page: StoredEvent[] | Error | 'stale') => void;

interface Pending {
  done: PageCallback;
  work: ThreadedPageWork | undefined;
}

const PAGE_THREAD = new URL('./sqlite-page-thread.js', import.meta.url);

/**
 * Reads pages of the log on a thread of its own, for long catch-ups (a rebuild, a server
 * starting on a large log): while the subscriber projects one page, the thread reads the next.
 * Any page is a prefix of what follows its position, whichever connection reads it: positions
 * are assigned in commit order, so a snapshot never holds a later event without the earlier ones.
 */
export class SqlitePageReader {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  /** The works installed on the current thread, by their numbers there. */
  private works = new Map<ThreadedPageWork, number>();

  constructor(private readonly file: string) {}

  /** Asks for the events after `from`, with `work` done on their data there; returns what cancels the request. */
  read(from: Position, limit: number, done: PageCallback, work?: ThreadedPageWork): () => void {
    const id = this.nextId++;
    this.pending.set(id, { done, work });
    const worker = this.thread();
    worker.ref();
    const number = work === undefined ? undefined : this.install(worker, work);
    worker.postMessage({ kind: 'page', id, from, limit, work: number, sent: threadClock() } satisfies PageRequest);
    return () => this.settle(id);
  }

  /** The work's number on the thread, installing it there first if it is new to it. */
  private install(worker: Worker, work: ThreadedPageWork): number {
    const known = this.works.get(work);
    if (known !== undefined) return known;
    const number = this.works.size;
    const { data, transfer } = work.start();
    worker.postMessage({ kind: 'work', work: number, module: work.module, data } satisfies WorkInstall, transfer);
    this.works.set(work, number);
    return number;
  }

  /** Ends the thread; requests under way are answered with an error. */
  close(): void {
    const worker = this.worker;
    this.worker = null;
    if (worker) void worker.terminate();
    this.failAll(new Error('the log is closed'));
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(PAGE_THREAD, { workerData: this.file });
    this.works = new Map();
    worker.on('message', (reply: PageReply) => {
      const pending = this.settle(reply.id);
      if (!pending) return;
      if ('error' in reply) pending.done(new Error(`reading the log: ${reply.error}`));
      else if (pending.work && reply.stamp !== undefined && !pending.work.current(reply.stamp)) pending.done('stale');
      else pending.done(decode(reply));
    });
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`the log page thread exited with code ${code}`)));
    return (this.worker = worker);
  }

  /** Forgets a request; the thread may idle (and not hold the process) once none is left. */
  private settle(id: number): Pending | undefined {
    const done = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    return done;
  }

  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.failAll(error);
  }

  private failAll(error: Error): void {
    const callbacks = [...this.pending.values()];
    this.pending.clear();
    for (const { done } of callbacks) done(error);
  }
}

/** The events of a page, in the shape the store's own reads give. */
function decode(page: PageColumns): StoredEvent[] {
  const data = JSON.parse(page.data) as unknown[];
  const metadata = JSON.parse(page.metadata) as EventMetadata[];
  return page.positions.map((position, i) =>
    storedEvent({
      id: page.ids[i] as string,
      stream: page.streams[i] as StreamName,
      revision: page.revisions[i] as Revision,
      position,
      type: page.types[i] as string,
      data: data[i],
      metadata: metadata[i] as EventMetadata,
      created: page.created[i] as number,
    }),
  );
}
