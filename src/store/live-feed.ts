import { Subject, type Observable, type Subscription } from 'rxjs';
import type { Position, RecordedEvent } from '../events/recorded-event.js';
import type { EventStore } from './event-store.js';

/**
 * The process's one live subscription to the log, shared: the projection runner and the
 * real-time fan-out both listen to it, so they see the same events in the same order.
 */
export class LiveFeed {
  private readonly subject = new Subject<RecordedEvent>();
  private subscription: Subscription | null = null;
  /** Position of the last event emitted. */
  position: Position = 0;

  constructor(private readonly store: EventStore) {}

  /** Starts the subscription after `from`; later calls return the same running feed. */
  start(from: Position): Observable<RecordedEvent> {
    if (!this.subscription) {
      this.position = from;
      this.subscription = this.store.subscribe(from).subscribe({
        next: (event) => {
          this.position = event.position;
          this.subject.next(event);
        },
        error: (error: unknown) => this.subject.error(error),
      });
    }
    return this.subject;
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
