import type { UserId } from '../../events/recorded-event.js';
import type { RoomId } from '../../events/room.js';
import type { ReadModels } from '../../projections/read-models.js';
import { findRoomOf, type RoomDocument } from '../../queries/rooms.js';
import { integerParam } from '../integer-param.js';
import { V1Error } from './v1-error.js';

/** The `:id` of a room route; an id that cannot be a room's is a room not found. */
export function roomParam(text: string | undefined): RoomId {
  const id = integerParam(text, 1);
  if (id === null) throw new V1Error(422, 'room_not_found');
  return id;
}

/** The room of a route's `:id`, when the caller is in it; else room not found (never "forbidden": it would say the room exists). */
export async function callerRoom(read: ReadModels, text: string | undefined, caller: UserId): Promise<RoomDocument> {
  const room = await findRoomOf(read, roomParam(text), caller);
  if (!room) throw new V1Error(422, 'room_not_found');
  return room;
}
