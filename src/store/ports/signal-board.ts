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
 * embedded log, polled) and esdb-signal-board (two streams with `$maxAge` on the EventStoreDB
 * log's server, subscribed to: one for signals living up to 120 s, one for longer ones up to
 * 7 days; README, "Live signals").
 *
 * Order: what one board posts reaches every board in posting order among the signals living
 * at most 120 s, and among the longer-lived ones (SQLite keeps one order for all). The EventStoreDB board follows its two streams
 * apart, so a short-lived signal and a long-lived one (presence and a later offline) may arrive
 * in either order: a reader that needs order across them orders by times in its bodies, as
 * presence does with `at` (use-cases/presence-table.ts).
 */
export interface SignalBoard {
  post(signal: BoardSignal): Promise<void>;
  /** Every unexpired signal posted from when it is subscribed on, by any process, in the order above. */
  readonly signals: Observable<BoardSignal>;
  /** The signals that have not expired yet, in posting order as near as the adapter knows it: what a process starting now must know (who is online, last seen). */
  current(): Promise<BoardSignal[]>;
  close(): Promise<void>;
}
