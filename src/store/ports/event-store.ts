import type { Observable } from 'rxjs';
import type { NewEvent, Position, Revision, StreamName } from '../../events/recorded-event.js';
import type { StoredEvent } from '../../events/eschat-event.js';
import type { ThreadedPageWork } from './page-work.js';

/** Optimistic concurrency, as in EventStoreDB. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | Revision;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event appended: the expected revision for the next append. */
  nextRevision: Revision;
  /** Global position of the last event appended: what read models must reach to show it. */
  position: Position;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive. Default: start when forwards, end when backwards. */
  fromRevision?: Revision;
  maxCount?: number;
}

export interface EventFilter {
  eventTypes?: readonly string[];
  streamPrefixes?: readonly string[];
}

/**
 * A consumer's say over a subscription: while `paused`, an adapter that reads from a server
 * stops reading, so the server's flow control holds the rest of the log instead of memory.
 */
export interface FlowControl {
  readonly paused: boolean;
  /** Calls `listener` on every change; returns what stops it. */
  watch(listener: (paused: boolean) => void): () => void;
}

export interface SubscribeOptions {
  flow?: FlowControl;
  /** Work on the events' data the adapter may do on its page thread during a catch-up (ports/page-work.ts). */
  pageWork?: ThreadedPageWork;
}

export interface ReadAllOptions {
  direction?: 'forwards' | 'backwards';
  /**
   * Exclusive, so that the last position read is the next call's argument.
   * Forwards: events after it (default 0, the start). Backwards: events before it (default: the end).
   */
  from?: Position;
  maxCount?: number;
  filter?: EventFilter;
}

/** The event store port. Adapters: sqlite-event-store (embedded), esdb-event-store (production). */
export interface EventStore {
  append(stream: StreamName, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Events of one stream; an empty array when the stream does not exist. */
  readStream(stream: StreamName, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  readAll(options?: ReadAllOptions): Promise<StoredEvent[]>;
  /**
   * The event at exactly `position`, null when none is. `readAll` cannot say it for every
   * adapter: `position - 1` is no position on EventStoreDB (its positions are byte offsets).
   */
  readAt(position: Position): Promise<StoredEvent | null>;
  /**
   * Every event after `from` (exclusive; default 0), in position order: first those already
   * stored, then live ones as they are appended, by this process or another, with no gap and
   * no duplicate across the switch. It may error (a server dropped it): resubscribe from the
   * last position delivered (LiveFeed does).
   */
  subscribe(from?: Position, options?: SubscribeOptions): Observable<StoredEvent>;
  /** Position of the newest event in the log, 0 when empty. */
  headPosition(): Promise<Position>;
  close(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  constructor(
    readonly stream: StreamName,
    readonly expected: ExpectedRevision,
    /** The stream's current revision, or 'no_stream'. */
    readonly actual: Revision | 'no_stream',
  ) {
    super(`wrong expected version on ${stream}: expected ${String(expected)}, actual ${String(actual)}`);
  }
}

/** Whether an append with `expected` may go ahead on a stream whose last revision is `actual`. */
export function revisionMatches(expected: ExpectedRevision, actual: Revision | 'no_stream'): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 'no_stream';
    case 'stream_exists':
      return actual !== 'no_stream';
    default:
      return actual === expected;
  }
}
