import { messageCollection } from '../../projections/messages.js';
import type { ReadModels } from '../../projections/read-models.js';
import { storedMessageDelivery } from './delivery.js';
import type { RoomMessagesBetween } from './inbox-replay.js';

/** A room's messages between two positions, from the history read model, for replays. */
export function roomMessagesFrom(read: ReadModels): RoomMessagesBetween {
  return async (roomId, after, upTo, limit) => {
    const documents = await messageCollection(read).find({ room: roomId, _id: { $gt: after, $lte: upTo } }, { sort: { _id: 1 }, limit });
    return documents.map(storedMessageDelivery);
  };
}
