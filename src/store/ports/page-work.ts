import type { TransferListItem } from 'node:worker_threads';

/**
 * Work on the data of a catch-up's events that an adapter reading its pages on a thread of its
 * own (SQLite) may do there, beside the event loop, instead of leaving it to the subscriber: the
 * encrypting store opens sealed values so. An adapter without such a thread ignores it, and the
 * subscriber does the work itself, as it must for every event the work left undone.
 */
export interface ThreadedPageWork {
  /** The URL of the module run on the thread: its default export is a `PageWorkMaker`. */
  readonly module: string;
  /** What the module's maker is given, made for each thread that runs it (a MessagePort goes to one thread only). */
  start(): { data: unknown; transfer: TransferListItem[] };
  /**
   * Whether a page the work stamped `stamp` may still be handed over; when not (the world it was
   * done in changed before the page was delivered), the adapter reads the page again, untouched.
   */
  current(stamp: number): boolean;
}

/** Made on the thread, once per work: does a page's work. */
export type PageWorkMaker = (data: unknown) => PageWorker;

/**
 * Rewrites the page's data texts in place (each still the JSON of its event's data) and
 * resolves to the page's stamp.
 */
export type PageWorker = (page: { types: readonly string[]; data: string[] }) => Promise<number>;
