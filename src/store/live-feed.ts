import { Observable, Subject, type Subscription } from 'rxjs';
import type { StoredEvent } from '../events/eschat-event.js';
import { isEschatEvent } from '../events/event-types.js';
import type { Position, RecordedEvent } from '../events/recorded-event.js';
import type { EventStore } from './ports/event-store.js';

/**
 * The process's one live subscription to the log, shared: the projection runner and the
 * real-time fan-out both listen to it, so they see the same events in the same order.
 * It carries the events this version knows: all its listeners are handlers, and an event of
 * a type written by a newer version is nothing they could act on (`unknown` hears of it).
 */
export class LiveFeed {
  private readonly subject = new Subject<RecordedEvent>();
  private subscription: Subscription | null = null;
  /** Position of the last event the log gave, known or not. */
  position: Position = 0;

  constructor(
    private readonly store: EventStore,
    private readonly unknown: (event: StoredEvent) => void = () => undefined,
  ) {}

  /**
   * The feed from after `from`. The store subscription begins when this is first subscribed
   * to, after the subscriber is in place: a store may emit its first events synchronously.
   */
  start(from: Position): Observable<RecordedEvent> {
    return new Observable<RecordedEvent>((subscriber) => {
      const inner = this.subject.subscribe(subscriber);
      if (!this.subscription) this.begin(from);
      return inner;
    });
  }

  private begin(from: Position): void {
    this.position = from;
    this.subscription = this.store.subscribe(from).subscribe({
      next: (event) => {
        this.position = event.position;
        if (isEschatEvent(event)) this.subject.next(event);
        else this.unknown(event);
      },
      error: (error: unknown) => this.subject.error(error),
    });
  }

  get events(): Observable<RecordedEvent> {
    return this.subject;
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
    this.subject.complete();
  }
}
