import type { StoredEvent, UnknownEvent } from './eschat-event.js';
import type { EventEnvelope, RecordedEvent } from './recorded-event.js';

/** A record of the log that is not an event at all (no type, no data): a reader cannot go on past it silently. */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
  constructor(
    readonly envelope: Pick<EventEnvelope, 'stream' | 'position'>,
    readonly problem: string,
  ) {
    super(`malformed event at position ${envelope.position} in stream ${envelope.stream}: ${problem}`);
  }
}

/**
 * An event as an adapter read it, checked where it enters the process: it has a type and data.
 * Whether the type is one this version knows is the handlers' question (EventTypes); which
 * shape its data has, the upcasters'. Cheap on purpose, and the same object comes back: it
 * runs on every event of a replay.
 */
export function storedEvent(event: RecordedEvent<UnknownEvent>): StoredEvent {
  if (typeof event.type !== 'string' || event.type.length === 0) throw new MalformedEventError(event, 'no event type');
  if (typeof event.data !== 'object' || event.data === null) throw new MalformedEventError(event, `${event.type} has no data`);
  return event;
}
