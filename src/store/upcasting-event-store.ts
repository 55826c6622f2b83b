import { map, type Observable } from 'rxjs';
import type { NewEvent, Position, StreamName } from '../events/recorded-event.js';
import type { StoredEvent } from '../events/eschat-event.js';
import { upcasters as eschatUpcasters, type UpcasterRegistry } from '../events/upcasters.js';
import type { AppendOptions, AppendResult, EventStore, ReadAllOptions, ReadStreamOptions, SubscribeOptions } from './ports/event-store.js';

/**
 * An event store whose every read path (streams, the whole log, subscriptions) yields events
 * in their current shape. Upcasting sits here, around the adapter, rather than in each
 * adapter or in each reader: the command handler, the projection runner, the live fan-out
 * and the audit all read through the one store the process opened, and the adapters stay
 * faithful to what is stored (their contract suite checks exactly that).
 */
export class UpcastingEventStore implements EventStore {
  constructor(
    private readonly inner: EventStore,
    private readonly upcasters: UpcasterRegistry = eschatUpcasters,
  ) {}

  append(stream: StreamName, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    return this.inner.append(stream, events, options);
  }

  async readStream(stream: StreamName, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.upcastAll(await this.inner.readStream(stream, options));
  }

  async readAll(options?: ReadAllOptions): Promise<StoredEvent[]> {
    return this.upcastAll(await this.inner.readAll(options));
  }

  async readAt(position: Position): Promise<StoredEvent | null> {
    const event = await this.inner.readAt(position);
    return event && this.upcasters.upcast(event);
  }

  subscribe(from?: Position, options?: SubscribeOptions): Observable<StoredEvent> {
    return this.inner.subscribe(from, options).pipe(map((event) => this.upcasters.upcast(event)));
  }

  headPosition(): Promise<Position> {
    return this.inner.headPosition();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private upcastAll(events: StoredEvent[]): StoredEvent[] {
    return events.map((event) => this.upcasters.upcast(event));
  }
}
