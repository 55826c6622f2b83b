import type { UserId } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';
import type { ReadModels } from '../projections/read-models.js';
import { membersKey, roomCollection, type RoomDocument } from '../projections/rooms.js';

export type { RoomDocument };

export function findRoom(read: ReadModels, roomId: RoomId): Promise<RoomDocument | null> {
  return roomCollection(read).findOne({ _id: roomId });
}

/** The highest room id the rooms read model holds: what seeds the id allocator (id-allocator.ts). */
export async function highestRoomId(read: ReadModels): Promise<number> {
  return (await roomCollection(read).findOne({}, { sort: { _id: -1 }, projection: { _id: 1 } }))?._id ?? 0;
}

/** The room if `userId` is in it; null otherwise, and for a deleted room. */
export function findRoomOf(read: ReadModels, roomId: RoomId, userId: UserId): Promise<RoomDocument | null> {
  return roomCollection(read).findOne({ _id: roomId, members: userId, deleted: false });
}

/** Every room `userId` is in, by id. */
export function roomsOf(read: ReadModels, userId: UserId): Promise<RoomDocument[]> {
  return roomCollection(read).find({ members: userId, deleted: false }, { sort: { _id: 1 } });
}

/** The direct room of two users, once the read model shows it. */
export function findDirectRoom(read: ReadModels, a: UserId, b: UserId): Promise<RoomDocument | null> {
  return roomCollection(read).findOne({ membersKey: membersKey([a, b]), kind: 'direct' });
}

/** The oldest group room whose members are exactly `members` (in any order, repeats ignored). */
export async function findGroupWithMembers(read: ReadModels, members: Iterable<UserId>): Promise<RoomDocument | null> {
  const [oldest] = await roomCollection(read).find(
    { membersKey: membersKey(members), kind: 'group', deleted: false },
    { sort: { _id: 1 }, limit: 1 },
  );
  return oldest ?? null;
}
