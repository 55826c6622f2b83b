import type { DomainEvent, StreamName, UserId } from './recorded-event.js';

/** A signed-in device. Streams: `session-<uuid>`. The token itself never enters the log. */
export const sessionStream = (sessionId: string): StreamName => `session-${sessionId}`;

export type Dialect = 'v1' | 'im';

export type SessionStarted = DomainEvent<
  'SessionStarted',
  {
    sessionId: string;
    userId: UserId;
    /** SHA-256 of the bearer token, hex. */
    tokenHash: string;
    device: string;
    dialect: Dialect;
    address: string | null;
  }
>;

export type SessionEnded = DomainEvent<'SessionEnded', { sessionId: string; userId: UserId; reason: 'logout' }>;

export type SessionEvent = SessionStarted | SessionEnded;

export const sessionEventTypes = ['SessionStarted', 'SessionEnded'] as const;
