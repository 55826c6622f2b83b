import type { UserId } from '../../events/recorded-event.js';
import type { ReadModels } from '../../projections/read-models.js';
import type { RoomDocument } from '../../queries/rooms.js';
import { findUsers, type PublicUser } from '../../queries/users.js';
import { v1User } from './user-routes.js';

/**
 * A room as v1 shows one: the seed's `{"id","users"}` (users by id), plus what groups have:
 * `kind`, `name`, `creator` and the invite `key` (members may pass it on, as in simple_im).
 */
export function v1Room(room: RoomDocument, users: ReadonlyMap<UserId, PublicUser>) {
  const members = room.members.flatMap((id) => {
    const user = users.get(id);
    return user ? [v1User(user)] : [];
  });
  return { id: room._id, users: members, kind: room.kind, name: room.name, creator: room.creator, key: room.key };
}

/** Several rooms, their members' logins read in one query. */
export async function v1Rooms(read: ReadModels, rooms: readonly RoomDocument[]): Promise<ReturnType<typeof v1Room>[]> {
  const users = await findUsers(read, [...new Set(rooms.flatMap((room) => room.members))]);
  const byId = new Map(users.map((user) => [user._id, user]));
  return rooms.map((room) => v1Room(room, byId));
}
