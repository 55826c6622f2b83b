import type { Observable } from 'rxjs';
import type { NewEvent, Position, StreamName } from '../events/recorded-event.js';
import type { StoredEvent } from '../events/eschat-event.js';
import {
  WrongExpectedVersionError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeOptions,
} from './ports/event-store.js';

export type AppendOutcome = 'ok' | 'conflict' | 'error';

/** What a read of the log was: of the whole log (readAll) or of one stream. */
export type ReadKind = 'all' | 'stream';

/** Where the decorator reports each append and read: Metrics, in the server. */
export interface AppendObserver {
  appended(outcome: AppendOutcome, events: number, seconds: number): void;
  /** Events a read returned (subscriptions are not reads: what they carry is the log moving on). */
  read?(kind: ReadKind, events: number): void;
}

/**
 * An event store that reports every append (outcome, event count, latency) and the events its
 * reads return, and otherwise passes through: one place measures both adapters, and neither
 * adapter knows about metrics.
 */
export class InstrumentedEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly observer: AppendObserver,
  ) {}

  async append(stream: StreamName, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const started = performance.now();
    const seconds = (): number => (performance.now() - started) / 1000;
    try {
      const result = await this.inner.append(stream, events, options);
      this.observer.appended('ok', events.length, seconds());
      return result;
    } catch (error) {
      this.observer.appended(error instanceof WrongExpectedVersionError ? 'conflict' : 'error', events.length, seconds());
      throw error;
    }
  }

  async readStream(stream: StreamName, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    const events = await this.inner.readStream(stream, options);
    this.observer.read?.('stream', events.length);
    return events;
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    const events = await this.inner.readAll(options);
    this.observer.read?.('all', events.length);
    return events;
  }

  readAt(position: Position): Promise<StoredEvent | null> {
    return this.inner.readAt(position);
  }

  subscribe(from?: Position, options?: SubscribeOptions): Observable<StoredEvent> {
    return this.inner.subscribe(from, options);
  }

  headPosition(): Promise<Position> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
