import type { DomainEvent, StreamName, UserId } from './recorded-event.js';

export type RoomId = number;

/** A conversation: `room-<id>`, integer ids allocated through the event store. */
export const roomStream = (id: RoomId): StreamName => `room-${id}`;

/** Claims the one direct room of a pair, appended with expected revision "no stream". */
export const directRoomStream = (a: UserId, b: UserId): StreamName => `direct-${Math.min(a, b)}-${Math.max(a, b)}`;

/**
 * `direct`: exactly two members, one room per pair (a `[[m]] to = 2` and a `POST /v1/rooms`
 * with one other user land in it). `group`: a name, a creator, and an invite key: a shared
 * capability shown to members (simple_im's `g_key`), so it is kept in the log, unlike secrets.
 */
export type RoomKind = 'direct' | 'group';

/**
 * Membership events carry the room's `kind` and `members`: everyone in the room once the
 * event is applied (for a deletion: everyone who was in it). Notifications are routed from
 * the event alone, so a replay or another process never needs the room's state.
 */
type Members = { kind: RoomKind; members: UserId[] };

/** Followed, in the same append, by one RoomMemberJoined `via: 'creation'` per initial member. */
export type RoomCreated = DomainEvent<
  'RoomCreated',
  { roomId: RoomId; name: string | null; creator: UserId; key: string | null } & Members
>;
export type RoomMemberJoined = DomainEvent<
  'RoomMemberJoined',
  { roomId: RoomId; userId: UserId; via: 'creation' | 'key' | 'added'; by: UserId } & Members
>;
export type RoomMemberLeft = DomainEvent<'RoomMemberLeft', { roomId: RoomId; userId: UserId } & Members>;
export type RoomMemberRemoved = DomainEvent<'RoomMemberRemoved', { roomId: RoomId; userId: UserId; by: UserId } & Members>;
export type RoomDeleted = DomainEvent<'RoomDeleted', { roomId: RoomId; by: UserId } & Members>;
export type RoomKeyRotated = DomainEvent<'RoomKeyRotated', { roomId: RoomId; key: string; by: UserId } & Members>;
/** The claim on a pair's direct room (stream `direct-<low>-<high>`). */
export type DirectRoomClaimed = DomainEvent<'DirectRoomClaimed', { roomId: RoomId; members: [UserId, UserId] }>;

export type RoomEvent = RoomCreated | RoomMemberJoined | RoomMemberLeft | RoomMemberRemoved | RoomDeleted | RoomKeyRotated;

export const roomEventTypes = [
  'RoomCreated',
  'RoomMemberJoined',
  'RoomMemberLeft',
  'RoomMemberRemoved',
  'RoomDeleted',
  'RoomKeyRotated',
] as const;

export const directRoomEventTypes = ['DirectRoomClaimed'] as const;
