import type { SendGuard } from '../commands/message.js';
import type { RecentSends } from './recent-sends.js';
import type { RoomRoute, RoutingState } from '../projections/routing-state.js';
import type { UserId } from '../events/recorded-event.js';

/** How long a send stays in flight at most, waiting to be recorded among the recent sends. */
const SETTLE_MS = 60_000;

/**
 * The checks of a send answered by this process's live state rather than by queries: earlier
 * sends by the recent sends, membership by the routing state (which reads a room it does not
 * hold from the room's stream). Both follow the live feed, which reaches them before any read
 * model (and, with the embedded store, before the append that wrote an event resumes), so
 * neither lags behind a send this process has answered. The routing state may stand behind the
 * feed while a room is read (events wait in order): a refusal is checked again once it has
 * caught up (`caughtUp`), so a join answered just before is not missed.
 */
export function liveSendGuard(routing: RoutingState, recent: RecentSends, caughtUp: () => Promise<void>): SendGuard {
  return {
    earlier: async (sender, device, clientId, content) => recent.find(sender, device, clientId, content),
    refusal: async (roomId, sender) => {
      const refusal = refusalOf(await routing.route(roomId), sender);
      if (refusal === null) return null;
      await caughtUp();
      return refusalOf(await routing.route(roomId), sender);
    },
    settled: (position) => recent.reached(position, SETTLE_MS),
  };
}

const refusalOf = (room: RoomRoute | undefined, sender: UserId): 'room_not_found' | 'not_a_member' | null =>
  !room ? 'room_not_found' : room.members.has(sender) ? null : 'not_a_member';
