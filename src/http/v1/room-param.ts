import type { RoomId } from '../../events/room.js';
import { integerParam } from '../integer-param.js';
import { V1Error } from './v1-error.js';

/** The `:id` of a room route; an id that cannot be a room's is a room not found. */
export function roomParam(text: string | undefined): RoomId {
  const id = integerParam(text, 1);
  if (id === null) throw new V1Error(422, 'room_not_found');
  return id;
}
