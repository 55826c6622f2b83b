import type { DomainEvent, Position, StreamName, UserId } from './recorded-event.js';
import type { RoomId } from './room.js';

/**
 * A member's read state: one stream per member, appended to with any revision (nothing in it
 * decides: membership comes from the routing state, the marker's place from the read model).
 */
export const readStateStream = (userId: UserId): StreamName => `reads-${userId}`;

/**
 * The member's read marker in the room moved forward to message `upTo` (a message id: the
 * position of its MessageSent). `receipt`: whether the reader shared read receipts when it
 * moved, so the fan-out routes the receipt from the event alone, on any process.
 */
export type RoomReadMarked = DomainEvent<'RoomReadMarked', { roomId: RoomId; userId: UserId; upTo: Position; receipt: boolean }>;

/** The member turned read receipts on or off: others see where they read only while on. */
export type ReadReceiptsChanged = DomainEvent<'ReadReceiptsChanged', { userId: UserId; enabled: boolean }>;

export type ReadStateEvent = RoomReadMarked | ReadReceiptsChanged;

export const readStateEventTypes = ['RoomReadMarked', 'ReadReceiptsChanged'] as const;
