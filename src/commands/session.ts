import { randomUUID } from 'node:crypto';
import type { UserId } from '../events/recorded-event.js';
import { EventTypes } from '../events/event-types.js';
import { sessionEventTypes, sessionStream, type Dialect, type SessionEvent } from '../events/session.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { CommandContext } from './command-context.js';
import { handleCommand } from './command-handler.js';
import { Refusal, type Decider } from './decider.js';
import { hashToken, newToken } from '../events/token.js';

export interface SessionState {
  status: 'none' | 'active' | 'ended';
  userId: UserId | null;
}

export type SessionCommand =
  | { kind: 'start'; sessionId: string; userId: UserId; tokenHash: string; device: string; dialect: Dialect; address: string | null }
  | { kind: 'end'; sessionId: string };

export const sessionDecider: Decider<SessionState, SessionCommand, SessionEvent> = {
  eventTypes: new EventTypes<SessionEvent>(sessionEventTypes),
  initialState: { status: 'none', userId: null },
  evolve(state, event) {
    switch (event.type) {
      case 'SessionStarted':
        return { status: 'active', userId: event.data.userId };
      case 'SessionEnded':
        return { ...state, status: 'ended' };
    }
  },
  decide(state, command) {
    if (command.kind === 'start') {
      if (state.status !== 'none') return new Refusal('session_exists');
      const { kind: _kind, ...data } = command;
      return [{ type: 'SessionStarted', data }];
    }
    if (state.status !== 'active' || state.userId === null) return [];
    return [{ type: 'SessionEnded', data: { sessionId: command.sessionId, userId: state.userId, reason: 'logout' } }];
  },
};

export interface StartedSession {
  sessionId: string;
  /** The bearer token: given to the client once, stored nowhere. */
  token: string;
  position: number;
}

export async function startSession(
  store: EventStore,
  start: { userId: UserId; device: string; dialect: Dialect; address: string | null },
  context: CommandContext,
): Promise<StartedSession> {
  const sessionId = randomUUID();
  const token = newToken();
  const command = { kind: 'start' as const, sessionId, tokenHash: hashToken(token), ...start };
  const result = await handleCommand(store, sessionStream(sessionId), sessionDecider, command, {
    ...context,
    actor: start.userId,
    device: start.device,
    session: sessionId,
  });
  return { sessionId, token, position: result.position ?? 0 };
}

/** Ends a session; ending one already ended changes nothing. Returns the position to wait for. */
export async function endSession(store: EventStore, sessionId: string, context: CommandContext): Promise<number | null> {
  const result = await handleCommand(store, sessionStream(sessionId), sessionDecider, { kind: 'end', sessionId }, context);
  return result.position;
}
