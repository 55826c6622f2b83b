import type { Position } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';
import { messageCollection, type MessageDocument } from '../projections/messages.js';
import type { ReadModels } from '../projections/read-models.js';

export type { MessageDocument };

export const HISTORY_PAGE = 50;
export const MAX_HISTORY_PAGE = 200;

/**
 * The newest `limit` messages of a room sent before message `before` (or the newest of all),
 * oldest first. Message ids are log positions and the read model applies the log in order, so
 * paging back from the oldest id of a page never skips or repeats a message, however many
 * are sent meanwhile.
 */
export async function roomHistory(
  read: ReadModels,
  roomId: RoomId,
  page: { before: Position | null; limit: number },
): Promise<MessageDocument[]> {
  const filter = page.before === null ? { room: roomId } : { room: roomId, _id: { $lt: page.before } };
  const newestFirst = await messageCollection(read).find(filter, { sort: { _id: -1 }, limit: page.limit });
  return newestFirst.reverse();
}
