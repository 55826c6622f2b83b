import { contactEventTypes, type ContactEvent } from './contact.js';
import { mediaEventTypes, type MediaEvent } from './media.js';
import { messageChangeEventTypes, messageEventTypes, type MessageChange, type MessageEvent } from './message.js';
import type { DomainEvent, RecordedEvent } from './recorded-event.js';
import { directRoomEventTypes, roomEventTypes, type DirectRoomClaimed, type RoomEvent } from './room.js';
import { readStateEventTypes, type ReadStateEvent } from './read-state.js';
import { sessionEventTypes, type SessionEvent } from './session.js';
import { reservationEventTypes, userEventTypes, type ReservationEvent, type UserEvent } from './user.js';

/** Every event eschat writes, with its data. */
export type EschatEvent =
  | UserEvent
  | ReservationEvent
  | SessionEvent
  | ContactEvent
  | RoomEvent
  | DirectRoomClaimed
  | MessageEvent
  | MessageChange
  | MediaEvent
  | ReadStateEvent;

export type EschatEventType = EschatEvent['type'];

/** Every type of EschatEvent: the compiler checks each is one, and EschatEventTypesComplete that none is missing. */
export const eschatEventTypes = [
  ...userEventTypes,
  ...reservationEventTypes,
  ...sessionEventTypes,
  ...contactEventTypes,
  ...roomEventTypes,
  ...directRoomEventTypes,
  ...messageEventTypes,
  ...messageChangeEventTypes,
  ...mediaEventTypes,
  ...readStateEventTypes,
] as const satisfies readonly EschatEventType[];

type Unlisted = Exclude<EschatEventType, (typeof eschatEventTypes)[number]>;
type AssertNone<T extends never> = T;
/** Fails to compile, naming the type, when an event type of the union is not in eschatEventTypes. */
export type EschatEventTypesComplete = AssertNone<Unlisted>;

/**
 * An event of a type this version does not know: written by a newer version sharing the log.
 * It stays in what the store yields rather than being dropped there: copying a log, `eschat
 * events tail` and the audit show every event, and a stream's revisions count it. Handlers
 * (deciders, projections, the fan-out) narrow to the types they know and so pass over it.
 */
export type UnknownEvent = DomainEvent<string, unknown>;

/** What the event store yields: an eschat event, or one of a type this version does not know. */
export type StoredEvent = RecordedEvent<EschatEvent | UnknownEvent>;
