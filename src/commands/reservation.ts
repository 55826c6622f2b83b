import type { UserId } from '../events/recorded-event.js';
import { EventTypes } from '../events/event-types.js';
import { reservationEventTypes, type ReservationEvent } from '../events/user.js';
import { Refusal, type Decider } from './decider.js';

/** A unique value (a login, a phone number) and who holds it. */
export interface ReservationState {
  holder: UserId | null;
  claimedAt: number;
}

export type ReservationCommand =
  | { kind: 'claim'; value: string; userId: UserId; now: number; holderRegistered: boolean }
  | { kind: 'release'; value: string; userId: UserId };

/** A claim older than this whose holder never registered was left by a crash: it may be taken over. */
export const ORPHANED_CLAIM_MS = 30_000;

export const reservationDecider: Decider<ReservationState, ReservationCommand, ReservationEvent> = {
  eventTypes: new EventTypes<ReservationEvent>(reservationEventTypes),
  initialState: { holder: null, claimedAt: 0 },
  evolve(state, event) {
    switch (event.type) {
      case 'ValueClaimed':
        return { holder: event.data.userId, claimedAt: event.data.claimedAt };
      case 'ValueReleased':
        return event.data.userId === state.holder ? { holder: null, claimedAt: 0 } : state;
    }
  },
  decide(state, command) {
    if (command.kind === 'release') {
      if (state.holder !== command.userId) return [];
      return [{ type: 'ValueReleased', data: { value: command.value, userId: command.userId } }];
    }
    if (state.holder === command.userId) return [];
    const orphaned = !command.holderRegistered && command.now - state.claimedAt > ORPHANED_CLAIM_MS;
    if (state.holder !== null && !orphaned) return new Refusal('already_taken', command.value);
    return [{ type: 'ValueClaimed', data: { value: command.value, userId: command.userId, claimedAt: command.now } }];
  },
};
