import { eschatEventTypes, type EschatEvent, type StoredEvent } from './eschat-event.js';
import type { RecordedEvent } from './recorded-event.js';

/**
 * The event types a handler knows (a decider, a projection, the fan-out) as a type guard, so
 * that an event from the store is narrowed once, where it enters the handler. A Set lookup on
 * the type, not a parse of the data: it runs on every event of a replay, and the data's shape
 * is the writer's promise (typed by the deciders) and the upcasters' (events/upcasters.ts).
 */
export class EventTypes<E extends EschatEvent> {
  private readonly set: ReadonlySet<string>;

  constructor(readonly types: readonly E['type'][]) {
    this.set = new Set(types);
  }

  /** Whether `event` is one of these events, with its data. */
  readonly has = (event: StoredEvent): event is RecordedEvent<E> => this.set.has(event.type);
}

/** Whether this version knows the event; one it does not was written by a newer version. */
export const isEschatEvent = new EventTypes<EschatEvent>(eschatEventTypes).has;
