import { sendMessage, type ReusedClientId } from '../commands/message.js';
import type { CommandContext } from '../commands/command-context.js';
import type { Position, UserId } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';
import type { RoutingState } from '../projections/routing-state.js';
import { openDirectRoom } from './direct-room.js';
import type { UseCaseDeps } from './use-case-deps.js';

/** Who sends, from which device and session: the metadata of the message. */
export interface Sender {
  userId: UserId;
  device: string;
  sessionId: string;
  address: string | null;
}

/**
 * Text messages as the real-time transports send them (im's `[[m]]` and `[[gm]]`, v1's room
 * chat); each answers the message id and cursor, its global position. A send is a retry,
 * answered with the original message stored once, only when the same device sends the same
 * `clientId` to the same room with the same text within the window; the id used for another
 * message is a new message (simple_im: its ids are not unique) or refused (v1), as `reused` says.
 * Refusals are CommandRefused: `user_not_found`, `invalid_recipient`, `room_not_found`,
 * `not_a_member`, `invalid_text`, `client_id_reused`.
 */
export interface TextSender {
  toRoom(sender: Sender, roomId: RoomId, clientId: string, text: string, reused: ReusedClientId): Promise<Position>;
  /** To the direct room of the sender and `to`, created on first use. */
  toPerson(sender: Sender, to: UserId, clientId: string, text: string, reused: ReusedClientId): Promise<Position>;
}

/** A TextSender that finds direct rooms in the routing state: live, and no query on the hot path. */
export function textSender(deps: Pick<UseCaseDeps, 'store' | 'read' | 'roomIds' | 'sendGuard'>, routing: RoutingState): TextSender {
  const context = (sender: Sender): CommandContext => ({
    actor: sender.userId,
    device: sender.device,
    session: sender.sessionId,
    ...(sender.address ? { address: sender.address } : {}),
  });
  const toRoom = async (sender: Sender, roomId: RoomId, clientId: string, text: string, reused: ReusedClientId): Promise<Position> => {
    const send = { roomId, sender: sender.userId, device: sender.device, clientId, kind: 'text' as const, text, mediaId: null };
    return (await sendMessage(deps.store, deps.sendGuard, send, context(sender), { reusedClientId: reused })).position;
  };
  return {
    toRoom,
    async toPerson(sender, to, clientId, text, reused) {
      const roomId = await openDirectRoom(deps, sender.userId, to, context(sender), (a, b) => routing.directRoom(a, b));
      return toRoom(sender, roomId, clientId, text, reused);
    },
  };
}
