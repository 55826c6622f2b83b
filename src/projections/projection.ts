import type { EschatEvent } from '../events/eschat-event.js';
import type { RecordedEvent } from '../events/recorded-event.js';
import type { WriteOperation } from '../store/ports/read-store.js';

/** One write to one of the projection's own collections. */
export interface ReadOperation {
  collection: string;
  operation: WriteOperation;
}

export interface CollectionSpec {
  name: string;
  indexes?: ReadonlyArray<{ keys: Record<string, 1 | -1>; unique?: boolean }>;
}

/**
 * A read model: data plus a pure function from an event to read-store operations.
 * Delivery is at-least-once, so every operation must be idempotent: set fields, upsert by
 * key, $addToSet / $pull, $max with the event's position — never $inc or $push.
 * `E` is the events it handles: the runner gives `project` only events of `eventTypes`, so a
 * `Projection<RoomEvent>` may stand among `Projection`s (the parameter of a method is read
 * both ways by the compiler; the runner's EventTypes guard is what keeps it to its own).
 */
export interface Projection<E extends EschatEvent = EschatEvent> {
  readonly name: string;
  /** Raise it when the shape changes: the runner rebuilds the new version beside the old one. */
  readonly version: number;
  readonly eventTypes: readonly E['type'][];
  readonly collections: readonly CollectionSpec[];
  project(event: RecordedEvent<E>): readonly ReadOperation[];
}
