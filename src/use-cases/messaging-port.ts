import type { ReusedClientId } from '../commands/message.js';
import type { Position, UserId } from '../events/recorded-event.js';

/** Who sends, from which device and session: the metadata of the message. */
export interface Sender {
  userId: UserId;
  device: string;
  sessionId: string;
  address: string | null;
}

export interface SentMessage {
  /** The message id and cursor: its global position. */
  position: Position;
}

/**
 * What real-time transports need from the write side to send a message. Refusals are
 * CommandRefused with codes `user_not_found`, `room_not_found`, `not_a_member`, `invalid_text`,
 * `client_id_reused`. A send is a retry, answered with the original message stored once, only
 * when the same device sends the same `clientId` to the same room with the same text within
 * the window; the id used for another message is a new message (simple_im: its ids are not
 * unique) or refused (v1), as `reused` says.
 */
export interface MessagingPort {
  /** To the direct room of the sender and `to`, created on first use. */
  sendDirect(sender: Sender, to: UserId, clientId: string, text: string, reused: ReusedClientId): Promise<SentMessage>;
  sendToRoom(sender: Sender, roomId: number, clientId: string, text: string, reused: ReusedClientId): Promise<SentMessage>;
  /** Whether a user may join a room's live chat. */
  isMember(userId: UserId, roomId: number): boolean;
}
