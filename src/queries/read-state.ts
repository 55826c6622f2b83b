import type { Position, UserId } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';
import { messageCollection } from '../projections/messages.js';
import type { ReadModels } from '../projections/read-models.js';
import { readMarkerCollection, readMarkerId, readSettingsCollection } from '../projections/read-state.js';

/** Where a member stands in a room: the marker (null before the first) and the messages of others after it. */
export interface RoomReadState {
  readUpTo: Position | null;
  unread: number;
}

export async function readMarker(read: ReadModels, userId: UserId, roomId: RoomId): Promise<Position | null> {
  return (await readMarkerCollection(read).findOne({ _id: readMarkerId(userId, roomId) }))?.upTo ?? null;
}

/**
 * Messages of others after the marker: a range of the messages index (room, _id), never a
 * scan of the room's history, so its cost is the unread messages, not the room's age.
 */
export function unreadCount(read: ReadModels, userId: UserId, roomId: RoomId, readUpTo: Position | null): Promise<number> {
  return messageCollection(read).countDocuments({ room: roomId, _id: { $gt: readUpTo ?? 0 }, sender: { $ne: userId } });
}

/** The read state of each of the user's rooms: its markers in one query, then one count per room. */
export async function readStatesOf(read: ReadModels, userId: UserId, roomIds: readonly RoomId[]): Promise<Map<RoomId, RoomReadState>> {
  const markers = new Map((await readMarkerCollection(read).find({ user: userId })).map((marker) => [marker.room, marker.upTo]));
  const states = await Promise.all(
    roomIds.map(async (roomId): Promise<[RoomId, RoomReadState]> => {
      const readUpTo = markers.get(roomId) ?? null;
      return [roomId, { readUpTo, unread: await unreadCount(read, userId, roomId, readUpTo) }];
    }),
  );
  return new Map(states);
}

export async function sharesReceipts(read: ReadModels, userId: UserId): Promise<boolean> {
  return (await readSettingsCollection(read).findOne({ _id: userId }))?.receipts ?? true;
}

/** Whether `messageId` is a message of the room, as the history read model has it. */
export async function isMessageOf(read: ReadModels, roomId: RoomId, messageId: Position): Promise<boolean> {
  return (await messageCollection(read).findOne({ _id: messageId, room: roomId })) !== null;
}

/** The read receipts of a room: each of `members` who shares them and has a marker, by user id. */
export async function roomReceipts(
  read: ReadModels,
  roomId: RoomId,
  members: readonly UserId[],
): Promise<Array<{ userId: UserId; readUpTo: Position }>> {
  const markers = await readMarkerCollection(read).find({ room: roomId }, { sort: { _id: 1 } });
  const present = markers.filter((marker) => members.includes(marker.user));
  const hidden = new Set(
    (await readSettingsCollection(read).find({ _id: { $in: present.map((marker) => marker.user) }, receipts: false })).map((s) => s._id),
  );
  return present.filter((marker) => !hidden.has(marker.user)).map((marker) => ({ userId: marker.user, readUpTo: marker.upTo }));
}
