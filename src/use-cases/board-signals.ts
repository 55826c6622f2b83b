import type { UserId } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';

/** What a user shows while some device of theirs is connected to a process. */
export type PresenceState = 'online' | 'away';

/** What this version posts on the signal board (store/ports/signal-board.ts). */
export type BoardBody =
  | { kind: 'typing'; roomId: RoomId; userId: UserId; expiresAt: number }
  | { kind: 'typing_stopped'; roomId: RoomId; userId: UserId }
  /** `userId` has a connection on `process` (renewed while it lasts); `at`: when posted, the last seen should the process die. */
  | { kind: 'presence'; userId: UserId; process: string; state: PresenceState; at: number }
  /** `userId`'s last connection on `process` closed at `at`. */
  | { kind: 'presence_offline'; userId: UserId; process: string; at: number }
  /** `process` still holds connections of these users, renewed at `at` for all of them at once: one signal, not one per user. */
  | { kind: 'presence_renewed'; process: string; at: number; online: UserId[]; away: UserId[] };

/** The board bodies about presence. */
export type PresenceBody = Extract<BoardBody, { kind: 'presence' | 'presence_offline' | 'presence_renewed' }>;

const KINDS: ReadonlySet<string> = new Set(['typing', 'typing_stopped', 'presence', 'presence_offline', 'presence_renewed']);

/** A board signal of a kind this version posts; null for another (a newer version's). Its fields are the poster's promise. */
export function boardBody(body: Record<string, unknown>): BoardBody | null {
  return typeof body['kind'] === 'string' && KINDS.has(body['kind']) ? (body as BoardBody) : null;
}
