import { Observable, Subject, tap, type Subscription } from 'rxjs';
import type { StoredEvent } from '../events/eschat-event.js';
import { isEschatEvent } from '../events/event-types.js';
import type { Position, RecordedEvent } from '../events/recorded-event.js';
import type { EventStore, FlowControl } from './ports/event-store.js';
import { backoffDelay } from './ports/backoff.js';

/** Where the feed stands: following the log, or waiting to resubscribe after a drop. */
export type FeedState =
  { state: 'live' } | { state: 'resubscribing'; since: number; attempts: number; error: string } | { state: 'stopped' };

export interface LiveFeedOptions {
  /** Hears of each event of a type this version does not know. */
  unknown?: (event: StoredEvent) => void;
  /** Hears of each drop, before the wait to resubscribe. */
  dropped?: (error: unknown, attempts: number, delayMs: number) => void;
  /** The first wait before resubscribing; each further drop doubles it, up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A resubscription that holds this long counts as recovered, events or not (default 5 s). */
  settleMs?: number;
  now?: () => number;
}

/**
 * The process's one live subscription to the log, shared: the projection runner and the
 * real-time fan-out both listen to it, so they see the same events in the same order.
 * It carries the events this version knows: all its listeners are handlers, and an event of
 * a type written by a newer version is nothing they could act on (`unknown` hears of it).
 *
 * When the store's subscription errors or ends (a server restart, a leader change), the feed
 * resubscribes from the last position it delivered, after a backoff: listeners see neither a
 * gap nor a duplicate, and never an error. `state` says so meanwhile, for the health check.
 *
 * It is also the subscription's flow control: while any listener holds it (`hold`), a store
 * that reads from a server stops reading.
 */
export class LiveFeed implements FlowControl {
  private readonly subject = new Subject<RecordedEvent>();
  private subscription: Subscription | null = null;
  /** The current subscription attempt: a late error of an earlier one is not a drop. */
  private attempt: object | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  private drop: { since: number; attempts: number; error: string } | null = null;
  private subscribedAt = 0;
  private holds = 0;
  private readonly watchers = new Set<(paused: boolean) => void>();
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly settleMs: number;
  private readonly now: () => number;
  /** Position of the last event the log gave, known or not. */
  position: Position = 0;

  constructor(
    private readonly store: EventStore,
    private readonly options: LiveFeedOptions = {},
  ) {
    this.backoffMs = options.backoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.settleMs = options.settleMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The feed from after `from`. The store subscription begins when this is first subscribed
   * to, after the subscriber is in place: a store may emit its first events synchronously.
   */
  start(from: Position): Observable<RecordedEvent> {
    return new Observable<RecordedEvent>((subscriber) => {
      const inner = this.subject.subscribe(subscriber);
      if (!this.subscription && !this.retry && !this.stopped) {
        this.position = from;
        this.subscribe();
      }
      return inner;
    });
  }

  /**
   * `start`, paced by a consumer that applies events later: after `window` events, the feed is
   * held until `reached` resolves for the last of them. A catch-up from 0 then holds at most
   * about `window` events in the consumer's queue, not the whole log.
   */
  paced(from: Position, reached: (position: Position) => Promise<unknown>, window = 5000): Observable<RecordedEvent> {
    let count = 0;
    return this.start(from).pipe(
      tap((event) => {
        if (++count < window) return;
        count = 0;
        const release = this.hold();
        reached(event.position).then(release, release);
      }),
    );
  }

  get events(): Observable<RecordedEvent> {
    return this.subject;
  }

  get state(): FeedState {
    if (this.stopped) return { state: 'stopped' };
    // Back at the head of a quiet log no event says so: a resubscription that held for a while has.
    if (this.drop && this.subscription && this.now() - this.subscribedAt >= this.settleMs) this.drop = null;
    return this.drop ? { state: 'resubscribing', ...this.drop } : { state: 'live' };
  }

  get paused(): boolean {
    return this.holds > 0;
  }

  /** Pauses the store subscription until the returned function is called (once counts). */
  hold(): () => void {
    if (++this.holds === 1) this.notify(true);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0) this.notify(false);
    };
  }

  watch(listener: (paused: boolean) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.attempt = null;
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.subject.complete();
  }

  private subscribe(): void {
    this.retry = null;
    const attempt = {};
    this.attempt = attempt;
    this.subscribedAt = this.now();
    const subscription = this.store.subscribe(this.position, { flow: this }).subscribe({
      next: (event) => {
        this.drop = null;
        this.position = event.position;
        if (isEschatEvent(event)) this.subject.next(event);
        else this.options.unknown?.(event);
      },
      error: (error: unknown) => this.dropped(attempt, error),
      complete: () => this.dropped(attempt, new Error('the event store ended the subscription')),
    });
    // A store may fail synchronously: the attempt is over already.
    if (this.attempt === attempt) this.subscription = subscription;
  }

  private dropped(attempt: object, error: unknown): void {
    if (this.stopped || this.attempt !== attempt) return;
    this.attempt = null;
    this.subscription = null;
    // A subscription that held for a while ended the last incident: this drop starts a new one.
    const ongoing = this.drop !== null && this.now() - this.subscribedAt < this.settleMs;
    const attempts = ongoing && this.drop ? this.drop.attempts + 1 : 1;
    this.drop = {
      since: ongoing && this.drop ? this.drop.since : this.now(),
      attempts,
      error: error instanceof Error ? error.message : String(error),
    };
    const delayMs = backoffDelay(attempts, this.backoffMs, this.maxBackoffMs);
    this.options.dropped?.(error, attempts, delayMs);
    this.retry = setTimeout(() => this.subscribe(), delayMs);
  }

  private notify(paused: boolean): void {
    for (const watcher of this.watchers) watcher(paused);
  }
}
