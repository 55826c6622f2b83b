import type { IdAllocator } from '../commands/id-allocator.js';
import { sendMessage, type ReusedClientId, type SendGuard } from '../commands/message.js';
import { directRoom } from '../commands/room.js';
import type { UserId } from '../events/recorded-event.js';
import type { ReadModels } from '../projections/read-models.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { MessagingPort, Sender, SentMessage } from './messaging-port.js';
import type { RoutingState } from '../projections/routing-state.js';

/** The write side as real-time transports use it: text messages to a room or to a person. */
export function createMessaging(
  store: EventStore,
  read: ReadModels,
  roomIds: IdAllocator,
  routing: RoutingState,
  guard: SendGuard,
): MessagingPort {
  const context = (sender: Sender) => ({
    actor: sender.userId,
    device: sender.device,
    session: sender.sessionId,
    ...(sender.address ? { address: sender.address } : {}),
  });

  const sendToRoom = async (
    sender: Sender,
    roomId: number,
    clientId: string,
    text: string,
    reused: ReusedClientId,
  ): Promise<SentMessage> => {
    const send = { roomId, sender: sender.userId, device: sender.device, clientId, kind: 'text' as const, text, mediaId: null };
    const sent = await sendMessage(store, guard, send, context(sender), { reusedClientId: reused });
    return { position: sent.position };
  };

  /** The pair's direct room: known to the routing state once it exists, else found or created. */
  const roomOf = async (sender: Sender, to: UserId): Promise<number> => {
    const known = routing.directRoom(sender.userId, to);
    if (known !== undefined) return known;
    const { roomId, position } = await directRoom(store, roomIds, sender.userId, to, context(sender));
    await read.waitFor(position);
    return roomId;
  };

  return {
    sendToRoom,
    async sendDirect(sender, to, clientId, text, reused) {
      return sendToRoom(sender, await roomOf(sender, to), clientId, text, reused);
    },
    isMember(userId, roomId) {
      return routing.room(roomId)?.members.has(userId) ?? false;
    },
  };
}
