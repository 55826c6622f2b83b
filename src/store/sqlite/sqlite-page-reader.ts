import { Worker } from 'node:worker_threads';
import type { EventMetadata, Position, Revision, StreamName } from '../../events/recorded-event.js';
import type { StoredEvent } from '../../events/eschat-event.js';
import { storedEvent } from '../../events/stored-event.js';

export interface PageRequest {
  id: number;
  from: Position;
  limit: number;
}

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
}

export type PageReply = { id: number } & (PageColumns | { error: string });

export type PageCallback = (page: StoredEvent[] | Error) => void;

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
  private readonly pending = new Map<number, PageCallback>();

  constructor(private readonly file: string) {}

  /** Asks for the events after `from`; returns what cancels the request. */
  read(from: Position, limit: number, done: PageCallback): () => void {
    const id = this.nextId++;
    this.pending.set(id, done);
    const worker = this.thread();
    worker.ref();
    worker.postMessage({ id, from, limit } satisfies PageRequest);
    return () => this.settle(id);
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
    worker.on('message', (reply: PageReply) => {
      const done = this.settle(reply.id);
      if (done) done('error' in reply ? new Error(`reading the log: ${reply.error}`) : decode(reply));
    });
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`the log page thread exited with code ${code}`)));
    return (this.worker = worker);
  }

  /** Forgets a request; the thread may idle (and not hold the process) once none is left. */
  private settle(id: number): PageCallback | undefined {
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
    for (const done of callbacks) done(error);
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
