/**
 * The production signal board: two EventStoreDB / KurrentDB streams whose events expire
 * (`$maxAge` in their stream metadata), appended to by every process and followed from their
 * end by each. Signals cross processes and hosts through the server every process already uses
 * for the log, without another bus; nothing posted here is history, and the server scavenges it.
 *
 * - `eschat-signals` carries what lives at most MAX_SIGNAL_MS (typing, presence and its
 *   renewals): `$maxAge` 150 s, and `current()` reads it back 120 s + skew, at most 10,000 events.
 * - `eschat-signals-lasting` carries what lives longer, up to MAX_LASTING_SIGNAL_MS (presence's
 *   offline with the last seen, 7 days): `$maxAge` 7 days + skew, and `current()` reads it back
 *   that far, at most MAX_LASTING_CURRENT events; older ones past that count are not read (a
 *   process started then knows no last seen for those users). A longer signal is refused.
 *   Typing's busy stream thus never keeps days of data.
 * - Each stream has its own subscription, resubscribed on its own after a drop
 *   (esdb-signal-stream.ts); `signals` merges them as they arrive, so the posting order holds
 *   within each stream, not between them (the port says so; presence orders by its bodies' times).
 *   `current()` merges the two by the server's log position.
 * - Scavenging is lazy (a scavenge run, and reads skip events past `$maxAge` only roughly): every
 *   read here drops what has expired by the signal's own `expiresAt`.
 * - `post` rejects with the server's error, for its caller to answer like any failed request.
 */
import { randomUUID } from 'node:crypto';
import { KurrentDBClient, jsonEvent } from '@kurrent/kurrentdb-client';
import { Subject } from 'rxjs';
import type { BoardSignal, SignalBoard } from '../ports/signal-board.js';
import { SIGNAL_STREAMS_PREFIX, clientConnectionString } from './esdb-event-store.js';
import { EsdbSignalStream, SIGNAL_TYPE, postingOrder, type SignalEvent } from './esdb-signal-stream.js';

/** The longest a signal of the first stream lives: `current()` reads it back this far. Typing lives 6 s. */
export const MAX_SIGNAL_MS = 120_000;
/** The longest a signal may be posted to live (on the lasting stream): presence's last seen, 7 days. */
export const MAX_LASTING_SIGNAL_MS = 7 * 24 * 3600 * 1000;
/** How far the hosts' clocks may disagree (`expiresAt` is the poster's clock, `created` the server's). */
const CLOCK_SKEW_MS = 30_000;
/** `$maxAge` of each stream, in seconds: past every signal's life, so scavenging never takes a live one. */
export const SIGNALS_MAX_AGE_S = (MAX_SIGNAL_MS + CLOCK_SKEW_MS) / 1000;
export const LASTING_SIGNALS_MAX_AGE_S = (MAX_LASTING_SIGNAL_MS + CLOCK_SKEW_MS) / 1000;
/** At most this many events read back by `current()` from the first stream, however busy the board. */
const MAX_CURRENT = 10_000;
/** At most this many from the lasting stream: as many as the presence table keeps users (presence-table.ts). */
export const MAX_LASTING_CURRENT = 100_000;

export interface EsdbSignalBoardOptions {
  /** The board's first stream (default `eschat-signals`; the lasting one is it + `-lasting`); tests use their own, of the same prefix (the log's reads pass over it). */
  stream?: string;
  /** First wait before resubscribing after a drop; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A dropped subscription (it is resubscribed), or a signal that could not be read. */
  onNotice?: (message: string, error: unknown) => void;
}

export class EsdbSignalBoard implements SignalBoard {
  private readonly subject = new Subject<BoardSignal>();
  private readonly brief: EsdbSignalStream;
  private readonly lasting: EsdbSignalStream;
  private closed = false;

  /**
   * Connects, sets each stream's `$maxAge` if it is not set yet, and subscribes to both after
   * their last event: a signal posted once this resolves is seen by this board too.
   */
  static async connect(connectionString: string, options: EsdbSignalBoardOptions = {}): Promise<EsdbSignalBoard> {
    const client = KurrentDBClient.connectionString(clientConnectionString(connectionString));
    const board = new EsdbSignalBoard(client, options);
    try {
      await board.brief.keepFor(SIGNALS_MAX_AGE_S);
      await board.lasting.keepFor(LASTING_SIGNALS_MAX_AGE_S);
      await Promise.all([board.brief.follow(), board.lasting.follow()]);
    } catch (error) {
      await board.close();
      throw error;
    }
    return board;
  }

  private constructor(
    private readonly client: KurrentDBClient,
    options: EsdbSignalBoardOptions,
  ) {
    const stream = options.stream ?? SIGNAL_STREAMS_PREFIX;
    const streamOptions = {
      backoffMs: options.backoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 5000,
      onNotice: options.onNotice ?? (() => {}),
    };
    const deliver = (signal: BoardSignal) => this.subject.next(signal);
    this.brief = new EsdbSignalStream(client, stream, deliver, streamOptions);
    this.lasting = new EsdbSignalStream(client, `${stream}-lasting`, deliver, streamOptions);
  }

  get signals() {
    return this.subject.asObservable();
  }

  /** How many times the subscriptions were opened: 2, plus one per resubscription of either. */
  get subscribed(): number {
    return this.brief.subscribed + this.lasting.subscribed;
  }

  async post(signal: BoardSignal): Promise<void> {
    if (this.closed) throw new Error('EsdbSignalBoard is closed');
    const lives = signal.expiresAt - Date.now();
    if (lives > MAX_LASTING_SIGNAL_MS) {
      throw new RangeError(`a board signal lives at most ${MAX_LASTING_SIGNAL_MS} ms (current() reads back no further)`);
    }
    const stream = lives > MAX_SIGNAL_MS ? this.lasting : this.brief;
    const event = jsonEvent<SignalEvent>({ id: randomUUID(), type: SIGNAL_TYPE, data: { expiresAt: signal.expiresAt, body: signal.body } });
    await this.client.appendToStream(stream.name, event);
  }

  async current(): Promise<BoardSignal[]> {
    const now = Date.now();
    const [brief, lasting] = await Promise.all([
      this.brief.readBack(now - MAX_SIGNAL_MS - CLOCK_SKEW_MS, MAX_CURRENT),
      this.lasting.readBack(now - MAX_LASTING_SIGNAL_MS - CLOCK_SKEW_MS, MAX_LASTING_CURRENT),
    ]);
    // Both are in posting order already; a stable sort interleaves them.
    return [...lasting, ...brief].sort(postingOrder).map((stored) => stored.signal);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.brief.close();
    this.lasting.close();
    this.subject.complete();
    await this.client.dispose();
  }
}
