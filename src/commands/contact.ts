import { contactEventTypes, contactStream, type ContactEvent } from '../events/contact.js';
import { EventTypes } from '../events/event-types.js';
import type { Position, UserId } from '../events/recorded-event.js';
import { userStream } from '../events/user.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { CommandContext } from './command-context.js';
import { handleCommand } from './command-handler.js';
import { Refusal, type Decider } from './decider.js';
import type { ContactRefusal } from './refusal-code.js';
import { uncarriable } from './text-rules.js';

/** What stands between two users: nothing, one pending request (either way), or a contact. */
export type ContactState = { status: 'strangers' } | { status: 'requested'; from: UserId; to: UserId } | { status: 'contacts' };

export type ContactCommand =
  | { kind: 'request'; from: UserId; to: UserId; ask: string; targetExists: boolean }
  | { kind: 'accept'; by: UserId; requester: UserId }
  | { kind: 'decline'; by: UserId; requester: UserId }
  | { kind: 'cancel'; by: UserId; target: UserId }
  | { kind: 'delete'; by: UserId; other: UserId };

/** The original stored the greeting in a VARCHAR(100): 100 characters, not UTF-16 units. */
export const MAX_ASK_CHARACTERS = 100;

const refuse = (code: ContactRefusal): Refusal => new Refusal(code);

/** Whether `by` has a request from `requester` waiting for an answer. */
const hasRequest = (state: ContactState, requester: UserId, by: UserId): boolean =>
  state.status === 'requested' && state.from === requester && state.to === by;

/**
 * One decider per pair of users (stream `contact-<low>-<high>`), so every rule about the pair
 * is checked against one consistent history: at most one pending request in either
 * direction, only its target answers it, only its sender withdraws it.
 */
export const contactDecider: Decider<ContactState, ContactCommand, ContactEvent> = {
  eventTypes: new EventTypes<ContactEvent>(contactEventTypes),
  initialState: { status: 'strangers' },
  evolve(_state, event) {
    switch (event.type) {
      case 'ContactRequested':
        return { status: 'requested', from: event.data.from, to: event.data.to };
      case 'ContactAccepted':
        return { status: 'contacts' };
      case 'ContactDeclined':
      case 'ContactRequestCancelled':
      case 'ContactDeleted':
        return { status: 'strangers' };
    }
  },
  decide(state, command) {
    switch (command.kind) {
      case 'request': {
        const { from, to, ask } = command;
        if (from === to) return refuse('cannot_add_self');
        if ([...ask].length > MAX_ASK_CHARACTERS || uncarriable(ask)) return refuse('invalid_ask');
        if (!command.targetExists) return refuse('user_not_found');
        if (state.status === 'contacts') return refuse('contact_exists');
        if (state.status === 'requested') return refuse('waiting_for_accept');
        return [{ type: 'ContactRequested', data: { from, to, ask } }];
      }
      case 'accept':
        if (!hasRequest(state, command.requester, command.by)) return refuse('no_request');
        return [{ type: 'ContactAccepted', data: { by: command.by, requester: command.requester } }];
      case 'decline':
        if (!hasRequest(state, command.requester, command.by)) return refuse('no_request');
        return [{ type: 'ContactDeclined', data: { by: command.by, requester: command.requester } }];
      case 'cancel':
        if (!hasRequest(state, command.by, command.target)) return refuse('no_request');
        return [{ type: 'ContactRequestCancelled', data: { by: command.by, target: command.target } }];
      case 'delete':
        if (state.status !== 'contacts') return refuse('not_a_contact');
        return [{ type: 'ContactDeleted', data: { by: command.by, other: command.other } }];
    }
  },
};

/**
 * `from` asks `to` to become a contact. Refusals: `cannot_add_self`, `invalid_ask`,
 * `user_not_found`, `contact_exists`, `waiting_for_accept`.
 */
export async function requestContact(
  store: EventStore,
  request: { from: UserId; to: UserId; ask: string },
  context: CommandContext,
): Promise<Position> {
  const command = async (): Promise<ContactCommand> => ({ kind: 'request', ...request, targetExists: await userExists(store, request.to) });
  return positionOf(await handleCommand(store, contactStream(request.from, request.to), contactDecider, command, context));
}

/** `by` accepts the request `requester` sent. Refusal: `no_request`. */
export async function acceptContact(
  store: EventStore,
  accept: { by: UserId; requester: UserId },
  context: CommandContext,
): Promise<Position> {
  return positionOf(
    await handleCommand(store, contactStream(accept.by, accept.requester), contactDecider, { kind: 'accept', ...accept }, context),
  );
}

/**
 * Whatever is between `by` and `other`, `by` ends it: a contact is deleted, a request received
 * is declined, a request sent is cancelled (what both dialects' DELETE means). The choice is
 * made on the state the decision is appended against, so a concurrent accept cannot slip in
 * between. Refusal: `not_a_contact` when there is nothing to end.
 */
export async function removeContact(store: EventStore, removal: { by: UserId; other: UserId }, context: CommandContext): Promise<Position> {
  const command = async (state: ContactState): Promise<ContactCommand> => endingOf(state, removal.by, removal.other);
  return positionOf(await handleCommand(store, contactStream(removal.by, removal.other), contactDecider, command, context));
}

function endingOf(state: ContactState, by: UserId, other: UserId): ContactCommand {
  if (state.status !== 'requested') return { kind: 'delete', by, other };
  return state.from === by ? { kind: 'cancel', by, target: other } : { kind: 'decline', by, requester: other };
}

async function userExists(store: EventStore, id: UserId): Promise<boolean> {
  const [first] = await store.readStream(userStream(id), { maxCount: 1 });
  return first?.type === 'UserRegistered';
}

/** Every contact command that is not refused appends one event: its position is what readers wait for. */
function positionOf(result: { position: Position | null }): Position {
  return result.position ?? 0;
}
