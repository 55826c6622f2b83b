/**
 * One stream of the EventStoreDB signal board (esdb-signal-board.ts): its `$maxAge`, a
 * subscription to it from its end that resubscribes on its own after a drop, and a bounded
 * backwards read of what has not expired.
 *
 * - It follows from the stream's last event when it connects (its start if it had none), and
 *   a dropped or ended subscription is resubscribed after a backoff from the last revision
 *   seen (that event while none was): signals posted while it was down arrive late or, if they
 *   expired meanwhile, never; a rare stream (the lasting one) loses none for having shown none.
 * - A server error never escapes as an error of the signals (an error there would end the
 *   process's subscription to the board); it is reported to `onNotice`.
 */
import {
  BACKWARDS,
  END,
  START,
  KurrentDBClient,
  StreamNotFoundError,
  type JSONEventType,
  type ResolvedEvent,
  type StreamSubscription,
} from '@kurrent/kurrentdb-client';
import type { BoardSignal } from '../ports/signal-board.js';
import { backoffDelay } from '../ports/backoff.js';

export const SIGNAL_TYPE = 'Signal';

export type SignalEvent = JSONEventType<typeof SIGNAL_TYPE, { expiresAt: number; body: Record<string, unknown> }>;

/** A signal read back, with where and when the server stored it (to merge streams in posting order). */
export interface StoredSignal {
  signal: BoardSignal;
  /** Its position in the server's log of every stream, when the server says it. */
  position: bigint | undefined;
  /** Epoch ms, as precise as the client gives it (whole seconds on some). */
  created: number;
}

/** Posting order across streams: the server's log position, else its time of storing. */
export function postingOrder(a: StoredSignal, b: StoredSignal): number {
  if (a.position !== undefined && b.position !== undefined) return a.position < b.position ? -1 : a.position > b.position ? 1 : 0;
  return a.created - b.created;
}

export interface SignalStreamOptions {
  backoffMs: number;
  maxBackoffMs: number;
  onNotice: (message: string, error: unknown) => void;
}

export class EsdbSignalStream {
  private subscription: StreamSubscription<SignalEvent> | undefined;
  /** The last revision delivered: a resubscription goes on after it. */
  private lastRevision: bigint | undefined;
  /** Where to go on from while nothing was delivered: the stream's last event when `follow` began, or its start. */
  private origin: bigint | typeof START | typeof END = END;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  /** How many times the subscription was opened: 1, plus one per resubscription. */
  subscribed = 0;

  constructor(
    private readonly client: KurrentDBClient,
    readonly name: string,
    private readonly deliverSignal: (signal: BoardSignal) => void,
    private readonly options: SignalStreamOptions,
  ) {}

  /** Sets the stream's `$maxAge` (seconds) if it is not that already. */
  async keepFor(maxAgeS: number): Promise<void> {
    const { metadata } = await this.client.getStreamMetadata(this.name);
    if (metadata?.maxAge !== maxAgeS) await this.client.setStreamMetadata(this.name, { ...metadata, maxAge: maxAgeS });
  }

  /**
   * The unexpired signals stored since `since` (server time, epoch ms), reading backwards from
   * the end at most `maxCount` events: past that bound, older ones are not read.
   */
  async readBack(since: number, maxCount: number): Promise<StoredSignal[]> {
    const now = Date.now();
    const live: StoredSignal[] = [];
    try {
      const read = this.client.readStream<SignalEvent>(this.name, { direction: BACKWARDS, fromRevision: END, maxCount });
      // Leaving the loop returns the client's generator, which stops the read.
      for await (const resolved of read) {
        const created = resolved.event?.created.getTime();
        if (created !== undefined && created < since) break;
        const signal = signalOf(resolved);
        if (signal !== null && signal.expiresAt > now)
          live.push({ signal, position: resolved.event?.position?.commit, created: created ?? since });
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return live.reverse();
  }

  /** Subscribes after the stream's last event now: resolves once the server confirms it, rejects if it fails first. */
  async follow(): Promise<void> {
    this.origin = (await this.lastRevisionNow()) ?? START;
    await this.subscribe();
  }

  private async lastRevisionNow(): Promise<bigint | undefined> {
    try {
      for await (const resolved of this.client.readStream<SignalEvent>(this.name, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }))
        if (resolved.event !== undefined) return resolved.event.revision;
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retry);
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription !== undefined) stopQuietly(subscription);
  }

  private subscribe(): Promise<void> {
    const from = this.lastRevision ?? this.origin;
    const subscription = this.client.subscribeToStream<SignalEvent>(this.name, { fromRevision: from });
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
        if (!confirmed) return reject(error ?? new Error(`the server ended the subscription to ${this.name}`));
        this.options.onNotice(`the signal board subscription to ${this.name} dropped; resubscribing`, error);
        this.resubscribeLater();
      };
      subscription.on('error', (error: Error) => lost(error));
      // A subscription has no end of its own: an end is the server letting go.
      subscription.on('end', () => lost(undefined));
    });
  }

  private resubscribeLater(): void {
    this.failures += 1;
    const wait = backoffDelay(this.failures, this.options.backoffMs, this.options.maxBackoffMs);
    this.retry = setTimeout(() => {
      if (this.closed) return;
      this.subscribe().catch((error: unknown) => {
        if (this.closed) return;
        this.options.onNotice(`the signal board could not resubscribe to ${this.name}; trying again`, error);
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
    if (signal === null) return this.options.onNotice(`event ${event.revision} of ${this.name} is not a board signal`, undefined);
    if (signal.expiresAt > Date.now()) this.deliverSignal(signal);
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
