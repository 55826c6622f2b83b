import type { EschatEvent } from '../events/eschat-event.js';
import type { Position, Revision, StreamName } from '../events/recorded-event.js';
import { WrongExpectedVersionError, type EventStore } from '../store/ports/event-store.js';
import { attemptEventIds } from './attempt-event-ids.js';
import { metadataFor, type CommandContext } from './command-context.js';
import { CommandRefused, Refusal, fold, type Decider } from './decider.js';

export interface CommandResult<State, Event> {
  /** What the decider produced; empty when the command changed nothing. */
  events: readonly Event[];
  state: State;
  /** Global position of the last event appended, or null when nothing was appended. */
  position: Position | null;
}

const MAX_ATTEMPTS = 10;

/**
 * Loads the stream, decides, and appends with the revision it decided on; when another
 * writer got there first, decides again on the fresh state. A command that needs facts from
 * outside the stream (is that user registered?) is given as a function of the loaded state.
 */
export async function handleCommand<State, Command, Event extends EschatEvent>(
  store: EventStore,
  stream: StreamName,
  decider: Decider<State, Command, Event>,
  command: Command | ((state: State) => Promise<Command>),
  context: CommandContext,
): Promise<CommandResult<State, Event>> {
  for (let attempt = 1; ; attempt++) {
    const history = await store.readStream(stream);
    // The revision counts every event of the stream, the state only those the decider knows.
    const state = fold(decider, history.filter(decider.eventTypes.has));
    const decision = decider.decide(
      state,
      typeof command === 'function' ? await (command as (s: State) => Promise<Command>)(state) : command,
    );
    if (decision instanceof Refusal) throw new CommandRefused(decision);
    if (decision.length === 0) return { events: decision, state, position: null };
    const revision: Revision | 'no_stream' = history.length === 0 ? 'no_stream' : history.length - 1;
    try {
      const metadata = metadataFor(context);
      const ids = attemptEventIds(metadata.correlationId, stream, revision, decision.length);
      const appended = await store.append(
        stream,
        decision.map((event, index) => ({ id: ids[index], type: event.type, data: event.data, metadata })),
        { expectedRevision: revision },
      );
      const after = decision.reduce((current, event) => decider.evolve(current, event), state);
      return { events: decision, state: after, position: appended.position };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
