import type { Observable } from 'rxjs';

/** A signal that is not history: typing, presence. `body` is the signal as its writer typed it. */
export interface BoardSignal {
  /** Milliseconds since the epoch after which nobody is to see it. */
  expiresAt: number;
  body: Record<string, unknown>;
}

/**
 * Ephemeral signals shared by every server process on one deployment, without another bus:
 * what is posted here is seen by every process following the board, then forgotten once it
 * expires, never kept as history. Adapters: sqlite-signal-board (a pruned table beside the
 * embedded log, polled), memory-signal-board (one process). An EventStoreDB deployment would
 * post to one stream with `$maxAge` and subscribe to it (README, "Live signals").
 */
export interface SignalBoard {
  post(signal: BoardSignal): Promise<void>;
  /** Every unexpired signal posted from when it is subscribed on, by any process, in posting order. */
  readonly signals: Observable<BoardSignal>;
  /** The signals that have not expired yet: what a process starting now must know (who is online, last seen). */
  current(): Promise<BoardSignal[]>;
  close(): Promise<void>;
}
