/**
 * The production signal board: one EventStoreDB / KurrentDB stream whose events expire
 * (`$maxAge` in its stream metadata), appended to by every process and followed from its end
 * by each. Signals cross processes and hosts through the server every process already uses for
 * the log, without another bus; nothing posted here is history, and the server scavenges it.
 *
 * - Scavenging is lazy (a scavenge run, and reads skip events past `$maxAge` only roughly): every
 *   read here drops what has expired by the signal's own `expiresAt`.
 * - A dropped or ended subscription is resubscribed after a backoff, from the last revision
 *   seen: signals posted while it was down arrive late or, if they expired meanwhile, never.
 *   Typing is ephemeral: a signal missed during a drop is a "typing" that does not show.
 * - A server error never escapes as an error of `signals` (an error there would end the
 *   process's only subscription to the board); it is reported to `onNotice`. `post` rejects
 *   with the server's error, for its caller to answer like any failed request.
 * - `current()` reads the stream backwards from its end only as far as the longest a signal
 *   may live (MAX_SIGNAL_MS, plus clock skew between hosts), and never more than MAX_CURRENT events.
 */
import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  KurrentDBClient,
  StreamNotFoundError,
  jsonEvent,
  type JSONEventType,
  type ResolvedEvent,
  type StreamSubscription,
} from '@kurrent/kurrentdb-client';
import { Subject } from 'rxjs';
import type { BoardSignal, SignalBoard } from '../ports/signal-board.js';
import { clientConnectionString } from './esdb-event-store.js';

/** The longest a signal may be posted to live: `current()` reads back this far. Typing lives 6 s. */
export const MAX_SIGNAL_MS = 120_000;
/** How far the hosts' clocks may disagree (`expiresAt` is the poster's clock, `created` the server's). */
const CLOCK_SKEW_MS = 30_000;
/** `$maxAge` of the stream, in seconds: past every signal's life, so scavenging never takes a live one. */
export const SIGNALS_MAX_AGE_S = (MAX_SIGNAL_MS + CLOCK_SKEW_MS) / 1000;
/** At most this many events read back by `current()`, however busy the board. */
const MAX_CURRENT = 10_000;
const SIGNAL_TYPE = 'Signal';

export interface EsdbSignalBoardOptions {
  /** The board's stream (default `eschat-signals`); tests use their own. */
  stream?: string;
  /** First wait before resubscribing after a drop; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A dropped subscription (it is resubscribed), or a signal that could not be read. */
  onNotice?: (message: string, error: unknown) => void;
}

type SignalEvent = JSONEventType<typeof SIGNAL_TYPE, { expiresAt: number; body: Record<string, unknown> }>;

export class EsdbSignalBoard implements SignalBoard {
  private readonly subject = new Subject<BoardSignal>();
  private readonly stream: string;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly onNotice: (message: string, error: unknown) => void;
  private subscription: StreamSubscription<SignalEvent> | undefined;
  /** The last revision delivered: a resubscription goes on after it (none yet: from the end). */
  private lastRevision: bigint | undefined;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  /** How many times the subscription was opened: 1, plus one per resubscription. */
  subscribed = 0;

  /**
   * Connects, sets the stream's `$maxAge` if it is not set yet, and subscribes from the end:
   * a signal posted once this resolves is seen by this board too.
   */
  static async connect(connectionString: string, options: EsdbSignalBoardOptions = {}): Promise<EsdbSignalBoard> {
    const client = KurrentDBClient.connectionString(clientConnectionString(connectionString));
    const board = new EsdbSignalBoard(client, options);
    try {
      const { metadata } = await client.getStreamMetadata(board.stream);
      if (metadata?.maxAge !== SIGNALS_MAX_AGE_S) await client.setStreamMetadata(board.stream, { ...metadata, maxAge: SIGNALS_MAX_AGE_S });
      await board.subscribe();
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
    this.stream = options.stream ?? 'eschat-signals';
    this.backoffMs = options.backoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.onNotice = options.onNotice ?? (() => {});
  }

  get signals() {
    return this.subject.asObservable();
  }

  async post(signal: BoardSignal): Promise<void> {
    if (this.closed) throw new Error('EsdbSignalBoard is closed');
    if (signal.expiresAt > Date.now() + MAX_SIGNAL_MS) {
      throw new RangeError(`a board signal lives at most ${MAX_SIGNAL_MS} ms (current() reads back no further)`);
    }
    const event = jsonEvent<SignalEvent>({ id: randomUUID(), type: SIGNAL_TYPE, data: { expiresAt: signal.expiresAt, body: signal.body } });
    await this.client.appendToStream(this.stream, event);
  }

  async current(): Promise<BoardSignal[]> {
    const now = Date.now();
    const since = now - MAX_SIGNAL_MS - CLOCK_SKEW_MS;
    const live: BoardSignal[] = [];
    try {
      const read = this.client.readStream<SignalEvent>(this.stream, { direction: BACKWARDS, fromRevision: END, maxCount: MAX_CURRENT });
      // Leaving the loop returns the client's generator, which stops the read.
      for await (const resolved of read) {
        if (resolved.event !== undefined && resolved.event.created.getTime() < since) break;
        const signal = signalOf(resolved);
        if (signal !== null && signal.expiresAt > now) live.push(signal);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return live.reverse();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retry);
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription !== undefined) stopQuietly(subscription);
    this.subject.complete();
    await this.client.dispose();
  }

  /** Opens the subscription; resolves once the server confirms it, rejects if it fails first. */
  private subscribe(): Promise<void> {
    const from = this.lastRevision ?? END;
    const subscription = this.client.subscribeToStream<SignalEvent>(this.stream, { fromRevision: from });
    this.subscription = subscription;
    this.subscribed += 1;
    return new Promise<void>((resolve, reject) => {
      let confirmed = false;
      subscription.on('confirmation', () => {
        confirmed = true;
        this.failures = 0;
        resolve();
      });
      subscription.on('data', (resolved: ResolvedEvent<SignalEvent>) => this.deliver(resolved));
      const lost = (error: Error | undefined) => {
        if (this.subscription !== subscription || this.closed) return;
        this.subscription = undefined;
        stopQuietly(subscription);
        if (!confirmed) return reject(error ?? new Error('the server ended the signal board subscription'));
        this.onNotice('the signal board subscription dropped; resubscribing', error);
        this.resubscribeLater();
      };
      subscription.on('error', (error: Error) => lost(error));
      // A subscription has no end of its own: an end is the server letting go.
      subscription.on('end', () => lost(undefined));
    });
  }

  private resubscribeLater(): void {
    const wait = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** this.failures);
    this.failures += 1;
    this.retry = setTimeout(() => {
      if (this.closed) return;
      this.subscribe().catch((error: unknown) => {
        if (this.closed) return;
        this.onNotice('the signal board could not resubscribe; trying again', error);
        this.resubscribeLater();
      });
    }, wait);
    this.retry.unref();
  }

  private deliver(resolved: ResolvedEvent<SignalEvent>): void {
    const event = resolved.event;
    if (event === undefined) return;
    // The server starts after the revision asked for; this guard keeps it so even if it did not.
    if (this.lastRevision !== undefined && event.revision <= this.lastRevision) return;
    this.lastRevision = event.revision;
    const signal = signalOf(resolved);
    if (signal === null) return this.onNotice(`event ${event.revision} of ${this.stream} is not a board signal`, undefined);
    if (signal.expiresAt > Date.now()) this.subject.next(signal);
  }
}

/**
 * Cancels a subscription's call. The client's unsubscribe first awaits the call's creation,
 * which rejects when the connection could not be made: unhandled, that would end the process.
 */
function stopQuietly(subscription: StreamSubscription<SignalEvent>): void {
  subscription.unsubscribe().catch(() => {});
}

/** The signal an event carries; null for anything else in the stream (another tool's event). */
function signalOf(resolved: ResolvedEvent<SignalEvent>): BoardSignal | null {
  const event = resolved.event;
  if (event?.type !== SIGNAL_TYPE) return null;
  const data: unknown = event.data;
  if (typeof data !== 'object' || data === null) return null;
  const { expiresAt, body } = data as Partial<BoardSignal>;
  if (typeof expiresAt !== 'number' || typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  return { expiresAt, body };
}
