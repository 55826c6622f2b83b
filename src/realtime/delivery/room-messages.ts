import { messageChangeCollection, messageCollection, type MessageDocument } from '../../projections/messages.js';
import type { ReadModels } from '../../projections/read-models.js';
import type { RoutingState } from '../../projections/routing-state.js';
import { storedMessageChangeDelivery, storedMessageDelivery, type MessageChangeDelivery, type MessageDelivery } from './delivery.js';
import type { RoomMessagesBetween } from './inbox-replay.js';

/**
 * A room's messages and their changes between two positions, from the history read model, for
 * replays. Each list is read up to `limit` and the merge cut to `limit`: the page is then
 * complete up to its last position, as a full list reaches at least that far. Each carries the
 * room's route as it is now.
 */
export function roomMessagesFrom(read: ReadModels, routing: RoutingState): RoomMessagesBetween {
  return async (roomId, after, upTo, limit) => {
    const range = { room: roomId, _id: { $gt: after, $lte: upTo } };
    const [documents, changes] = await Promise.all([
      messageCollection(read).find(range, { sort: { _id: 1 }, limit }),
      messageChangeCollection(read).find(range, { sort: { _id: 1 }, limit }),
    ]);
    if (documents.length === 0 && changes.length === 0) return [];
    const route = (await routing.route(roomId)) ?? null;
    const edited = changes.filter((change) => change.change === 'edited').map((change) => change.message);
    const current = new Map<number, MessageDocument>();
    if (edited.length > 0)
      for (const message of await messageCollection(read).find({ _id: { $in: edited } })) current.set(message._id, message);
    const deliveries: Array<MessageDelivery | MessageChangeDelivery> = [
      ...documents.map((document) => storedMessageDelivery(document, route)),
      ...changes.map((change) => storedMessageChangeDelivery(change, current.get(change.message) ?? null, route)),
    ];
    deliveries.sort((a, b) => a.position - b.position);
    return deliveries.slice(0, limit);
  };
}
