import { EventTypes } from '../events/event-types.js';
import {
  messageChangeEventTypes,
  messageChangeStream,
  messageEventTypes,
  type MessageChange,
  type MessageKind,
  type MessageSent,
} from '../events/message.js';
import type { Position, UserId } from '../events/recorded-event.js';
import { roomStream, type RoomId } from '../events/room.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { CommandContext } from './command-context.js';
import { handleCommand } from './command-handler.js';
import { Refusal, fold, type Decider } from './decider.js';
import { MAX_TEXT_CHARACTERS } from './message.js';
import type { MessageChangeRefusal } from './refusal-code.js';
import { roomDecider, type RoomState } from './room.js';
import { uncarriable } from './text-rules.js';

/** A message's changes so far, folded from its stream `message-<id>`. */
export interface MessageChangeState {
  /** The latest edit's text; null while it was never edited. */
  text: string | null;
  deleted: boolean;
}

/** The message as sent, read from the log at its id: null when no MessageSent is there. */
export interface OriginalMessage {
  roomId: RoomId;
  sender: UserId;
  kind: MessageKind;
  text: string | null;
}

/**
 * A change asked for, with the facts the decider needs from outside the message's stream:
 * the message as sent, and its room as the room's own stream says now (members, creator).
 */
export interface MessageChangeCommand {
  change: { kind: 'edit'; text: string } | { kind: 'delete' };
  roomId: RoomId;
  messageId: Position;
  actor: UserId;
  original: OriginalMessage | null;
  room: RoomState;
}

const refuse = (code: MessageChangeRefusal): Refusal => new Refusal(code);

/**
 * A message's edits and deletion. Only a member of the room now changes it; only the sender
 * edits, and only a text; the sender or the creator of a group deletes. A deleted message is
 * not found, and an edit to the text it already has changes nothing (a retry records no version).
 */
export const messageChangeDecider: Decider<MessageChangeState, MessageChangeCommand, MessageChange> = {
  eventTypes: new EventTypes<MessageChange>(messageChangeEventTypes),
  initialState: { text: null, deleted: false },
  evolve(state, event) {
    return event.type === 'MessageEdited' ? { ...state, text: event.data.text } : { ...state, deleted: true };
  },
  decide(state, command) {
    const { room, original, actor, roomId, messageId } = command;
    if (room.status !== 'active') return refuse('room_not_found');
    if (!room.members.includes(actor)) return refuse('not_a_member');
    if (original === null || original.roomId !== roomId || state.deleted) return refuse('message_not_found');
    const { sender } = original;
    if (command.change.kind === 'delete') {
      const owner = room.kind === 'group' && room.creator === actor;
      if (actor !== sender && !owner) return refuse('forbidden');
      return [{ type: 'MessageDeleted', data: { roomId, messageId, sender, by: actor } }];
    }
    if (actor !== sender) return refuse('forbidden');
    if (original.kind !== 'text') return refuse('not_editable');
    const { text } = command.change;
    if (!validText(text)) return refuse('invalid_text');
    if (text === (state.text ?? original.text)) return [];
    return [{ type: 'MessageEdited', data: { roomId, messageId, sender, text } }];
  },
};

/** The rules of a sent text (commands/message.ts): 1 to 10,000 characters, none a wire cannot carry. */
function validText(text: string): boolean {
  return text.length > 0 && (text.length <= MAX_TEXT_CHARACTERS || [...text].length <= MAX_TEXT_CHARACTERS) && !uncarriable(text);
}

const sends = new EventTypes<MessageSent>(messageEventTypes);

/**
 * Edits or deletes message `messageId` of room `roomId` for `actor`, deciding on the message's
 * stream, the MessageSent at its id and the room's stream (read afresh at every attempt). Resolves
 * the position of the change, null when the edit changed nothing.
 * Refusals: `room_not_found`, `not_a_member`, `message_not_found`, `forbidden`, `not_editable`, `invalid_text`.
 */
export async function changeMessage(
  store: EventStore,
  request: Omit<MessageChangeCommand, 'original' | 'room'>,
  context: CommandContext,
): Promise<Position | null> {
  const result = await handleCommand(
    store,
    messageChangeStream(request.messageId),
    messageChangeDecider,
    async (): Promise<MessageChangeCommand> => {
      const [sent, roomEvents] = await Promise.all([store.readAt(request.messageId), store.readStream(roomStream(request.roomId))]);
      const original = sent !== null && sends.has(sent) ? originalOf(sent.data) : null;
      const room = fold(roomDecider, roomEvents.filter(roomDecider.eventTypes.has));
      return { ...request, original, room };
    },
    context,
  );
  return result.position;
}

function originalOf(data: MessageSent['data']): OriginalMessage {
  return { roomId: data.roomId, sender: data.sender, kind: data.kind, text: data.text };
}
