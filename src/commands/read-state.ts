import type { Position, UserId } from '../events/recorded-event.js';
import { readStateStream, type ReadReceiptsChanged, type RoomReadMarked } from '../events/read-state.js';
import type { RoomId } from '../events/room.js';
import type { EventStore } from '../store/ports/event-store.js';
import { metadataFor, type CommandContext } from './command-context.js';
import { CommandRefused, Refusal } from './decider.js';
import type { SendRefusal } from './refusal-code.js';

export interface MarkRead {
  roomId: RoomId;
  userId: UserId;
  /** The id of the last message read. */
  upTo: Position;
}

/** What marking a room read checks outside the log: answered by the routing state and the read models. */
export interface ReadFacts {
  /** Why the user may not read the room (`room_not_found`, `not_a_member`), or null. */
  refusal(roomId: RoomId, userId: UserId): Promise<SendRefusal | null>;
  /** Whether `messageId` is a message of the room. */
  isMessageOf(roomId: RoomId, messageId: Position): Promise<boolean>;
  /** The user's marker in the room, or null before the first. */
  marker(userId: UserId, roomId: RoomId): Promise<Position | null>;
  /** Whether the user shares read receipts. */
  receipts(userId: UserId): Promise<boolean>;
}

export interface MarkedRead {
  /** The marker after the command: a backward move leaves it where it was. */
  upTo: Position;
  /** The position of the RoomReadMarked appended; null when the marker did not move. */
  position: Position | null;
}

/**
 * Moves the user's read marker in the room forward to message `upTo`: one RoomReadMarked per
 * move, none for a move to where it is or behind (a device that read less than another is
 * no reason to mark messages unread again). Nothing in a stream decides, so the append expects
 * any revision: two moves at once both land, and the read model keeps the furthest (`$max`).
 * Refusals: `room_not_found`, `not_a_member`, `message_not_found`.
 */
export async function markRoomRead(store: EventStore, facts: ReadFacts, mark: MarkRead, context: CommandContext): Promise<MarkedRead> {
  const refusal = await facts.refusal(mark.roomId, mark.userId);
  if (refusal) throw new CommandRefused(new Refusal(refusal));
  const [current, isMessage, receipt] = await Promise.all([
    facts.marker(mark.userId, mark.roomId),
    facts.isMessageOf(mark.roomId, mark.upTo),
    facts.receipts(mark.userId),
  ]);
  if (!isMessage) throw new CommandRefused(new Refusal('message_not_found'));
  if (current !== null && current >= mark.upTo) return { upTo: current, position: null };
  const data: RoomReadMarked['data'] = { roomId: mark.roomId, userId: mark.userId, upTo: mark.upTo, receipt };
  const { position } = await store.append(
    readStateStream(mark.userId),
    [{ type: 'RoomReadMarked', data, metadata: metadataFor(context) }],
    {
      expectedRevision: 'any',
    },
  );
  return { upTo: mark.upTo, position };
}

/** Turns the user's read receipts on or off; null, appending nothing, when they already are. */
export async function setReadReceipts(
  store: EventStore,
  change: { userId: UserId; enabled: boolean; current: boolean },
  context: CommandContext,
): Promise<Position | null> {
  if (change.enabled === change.current) return null;
  const data: ReadReceiptsChanged['data'] = { userId: change.userId, enabled: change.enabled };
  const { position } = await store.append(
    readStateStream(change.userId),
    [{ type: 'ReadReceiptsChanged', data, metadata: metadataFor(context) }],
    { expectedRevision: 'any' },
  );
  return position;
}
