import type { UserId } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';

/** What this version posts on the signal board (store/ports/signal-board.ts). */
export type BoardBody =
  { kind: 'typing'; roomId: RoomId; userId: UserId; expiresAt: number } | { kind: 'typing_stopped'; roomId: RoomId; userId: UserId };

const KINDS: ReadonlySet<string> = new Set(['typing', 'typing_stopped']);

/** A board signal of a kind this version posts; null for another (a newer version's). Its fields are the poster's promise. */
export function boardBody(body: Record<string, unknown>): BoardBody | null {
  return typeof body['kind'] === 'string' && KINDS.has(body['kind']) ? (body as BoardBody) : null;
}
