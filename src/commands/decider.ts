import type { EschatEvent } from '../events/eschat-event.js';
import type { EventTypes } from '../events/event-types.js';
import type { RefusalCode } from './refusal-code.js';

/**
 * Why a command was refused, in domain words (`login_taken`, `not_a_member`, ...): a closed
 * set (refusal-code.ts). Each wire dialect maps every code to its own status and reason.
 */
export class Refusal {
  constructor(
    readonly code: RefusalCode,
    readonly detail?: string,
  ) {}
}

/**
 * An aggregate as a pair of pure functions over its own events. `eventTypes` are those events:
 * the command handler folds only them, so another event in the stream (one of a type a newer
 * version wrote) is passed over, as every handler does.
 */
export interface Decider<State, Command, Event extends EschatEvent> {
  readonly eventTypes: EventTypes<Event>;
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  decide(state: State, command: Command): readonly Event[] | Refusal;
}

/** Thrown by command handling when the decider refused; carries the refusal's code. */
export class CommandRefused extends Error {
  override readonly name = 'CommandRefused';
  constructor(readonly refusal: Refusal) {
    super(refusal.detail ? `${refusal.code}: ${refusal.detail}` : refusal.code);
  }
  get code(): RefusalCode {
    return this.refusal.code;
  }
}

export function fold<State, Event extends EschatEvent>(
  decider: Pick<Decider<State, never, Event>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState);
}
