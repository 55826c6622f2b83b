import type { StoredEvent } from './eschat-event.js';
import type { Dialect } from './session.js';

type Data = Record<string, unknown>;

/**
 * Reads one old shape of one event type as the next shape. An upcaster is a pure function of
 * the event alone: it runs on every read of every event of its type (a replay of a million
 * events runs it a million times), so it may not look anything up, and it must be cheap.
 */
export interface Upcaster {
  type: string;
  /** True for data in the old shape this upcaster reads; the current shape never matches. */
  matches(data: Data): boolean;
  upcast(data: Data): Data;
}

/**
 * The upcasters of a log, by event type. Those of one type are applied in the order given,
 * oldest shape first, so an event several shapes old goes through each step in turn.
 */
export class UpcasterRegistry {
  private readonly byType = new Map<string, Upcaster[]>();

  constructor(upcasters: readonly Upcaster[]) {
    for (const upcaster of upcasters) {
      const steps = this.byType.get(upcaster.type) ?? [];
      this.byType.set(upcaster.type, [...steps, upcaster]);
    }
  }

  /** The event in its current shape: the same object when it already is (the common case). */
  upcast(event: StoredEvent): StoredEvent {
    const steps = this.byType.get(event.type);
    if (steps === undefined || !isData(event.data)) return event;
    let data = event.data;
    for (const step of steps) if (step.matches(data)) data = step.upcast(data);
    return data === event.data ? event : { ...event, data };
  }
}

function isData(value: unknown): value is Data {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * SessionStarted as sessions were recorded before the log kept the dialect and the client's
 * address (`{sessionId, userId, tokenHash, device}`): only e_chat_server's JSON dialect existed
 * then, and nobody wrote the address down, so such a session reads as a v1 session from an
 * unknown address. The sessions projection and `eschat audit user` then see one shape.
 *
 * Why this one: it is decidable from the event alone. The other shape change in the log's
 * history — room events gaining `kind` and `members` — is not upcast here: a RoomMemberJoined
 * without `members` can only learn them by folding the room's earlier events, which is state
 * an upcaster must not have; such a change is migrated by rewriting the stream, not on read.
 */
const sessionStartedWithoutDialect: Upcaster = {
  type: 'SessionStarted',
  matches: (data) => !('dialect' in data) || !('address' in data),
  upcast: (data) => ({ dialect: 'v1' satisfies Dialect, address: null, ...data }),
};

/** Every upcaster of eschat's log. */
export const upcasters = new UpcasterRegistry([sessionStartedWithoutDialect]);
