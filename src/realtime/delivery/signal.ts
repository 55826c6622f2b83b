import type { Position, UserId } from '../../events/recorded-event.js';
import type { RoomId } from '../../events/room.js';

/**
 * A live state signal: what a device shows now (read state, typing, presence) rather than history.
 * Signals carry no cursor and are never replayed: a device that was away reads the state
 * over HTTP (`GET /v1/rooms`) when it reconnects. Only connections that
 * understand them receive any (a legacy simple_im client is sent none).
 */
export type Signal =
  /** To the reader's own devices: the marker moved; `unread` counts the messages of others after it. */
  | { kind: 'read'; roomId: RoomId; upTo: Position; unread: number }
  /** To the room's other members: a read receipt. */
  | { kind: 'receipt'; roomId: RoomId; userId: UserId; upTo: Position }
  /** `userId` is typing in the room until `expiresAt` (epoch ms), unless another signal says otherwise. */
  | { kind: 'typing'; roomId: RoomId; userId: UserId; expiresAt: number }
  | { kind: 'typing_stopped'; roomId: RoomId; userId: UserId }
  /** `userId`'s presence changed (or is, at a connection's start); `lastSeen` (epoch ms) only when offline and shown. */
  | { kind: 'presence'; userId: UserId; presence: 'online' | 'away' | 'offline'; lastSeen: number | null };

/** What a `WS /im` client opts into, by the signals it is then sent (`?features=reads,typing,presence`). */
export type SignalFeature = 'reads' | 'typing' | 'presence';

/** What most connections ask for: one empty Set for all of them, not one each. */
export const NO_SIGNALS: ReadonlySet<SignalFeature> = new Set();

export function featureOf(signal: Signal): SignalFeature {
  return signal.kind === 'read' || signal.kind === 'receipt' ? 'reads' : signal.kind === 'presence' ? 'presence' : 'typing';
}
