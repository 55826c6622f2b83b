import { CommandRefused, Refusal } from '../commands/decider.js';
import type { SendGuard } from '../commands/message.js';
import type { UserId } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';
import type { SignalBoard } from '../store/ports/signal-board.js';
import type { BoardBody } from './board-signals.js';

/** How long "X is typing" shows without another signal. */
export const TYPING_MS = 6000;
/** At most one typing signal per room this often from one source (a connection, a session): clients repeat it while typing. */
export const TYPING_INTERVAL_MS = 2000;
/** Sources remembered at most, so a flood of rooms cannot grow the map without bound. */
const MAX_REMEMBERED = 10_000;

/**
 * "X is typing in R": posted on the signal board, where every process sees it and tells the
 * room's members; never in the log. Refusals: `room_not_found`, `not_a_member`.
 */
export class Typing {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly board: SignalBoard,
    private readonly guard: SendGuard,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Posts that `userId` is typing (or stopped) in the room, as said from `source`. False when
   * a typing signal from the same source to the same room came less than TYPING_INTERVAL_MS ago:
   * nothing is posted (a stop is never held back).
   */
  async signal(source: string, userId: UserId, roomId: RoomId, typing: boolean): Promise<boolean> {
    const refusal = await this.guard.refusal(roomId, userId);
    if (refusal) throw new CommandRefused(new Refusal(refusal));
    const now = this.now();
    const key = `${source}\u0000${roomId}`;
    if (typing) {
      if (now - (this.last.get(key) ?? -Infinity) < TYPING_INTERVAL_MS) return false;
      if (this.last.size >= MAX_REMEMBERED) this.forgetOlderThan(now - TYPING_INTERVAL_MS);
      this.last.set(key, now);
    } else this.last.delete(key);
    const body: BoardBody = typing
      ? { kind: 'typing', roomId, userId, expiresAt: now + TYPING_MS }
      : { kind: 'typing_stopped', roomId, userId };
    await this.board.post({ expiresAt: now + TYPING_MS, body });
    return true;
  }

  private forgetOlderThan(time: number): void {
    for (const [key, at] of this.last) if (at < time) this.last.delete(key);
  }
}
