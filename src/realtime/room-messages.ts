import { messageCollection, type MessageDocument } from '../projections/messages.js';
import type { ReadModels } from '../projections/read-models.js';
import type { MessageDelivery } from './delivery.js';
import type { RoomMessagesBetween } from './inbox-replay.js';

/** A room's messages between two positions, from the history read model, for replays. */
export function roomMessagesFrom(read: ReadModels): RoomMessagesBetween {
  return async (roomId, after, upTo, limit) => {
    const documents = await messageCollection(read).find({ room: roomId, _id: { $gt: after, $lte: upTo } }, { sort: { _id: 1 }, limit });
    return documents.map(storedMessageDelivery);
  };
}

function storedMessageDelivery(document: MessageDocument): MessageDelivery {
  return {
    kind: 'message',
    position: document._id,
    at: document.at,
    origin: { user: document.sender, device: typeof document['device'] === 'string' ? document['device'] : null, session: null },
    roomId: document.room,
    sender: document.sender,
    clientId: document.clientId,
    messageKind: document.kind,
    text: document.text,
    mediaId: document.mediaId,
  };
}
