import type { Position } from '../../events/recorded-event.js';
import type { DeviceCursor } from './delivery-state-store.js';

/**
 * The cursor to store when `next` is saved over `stored`: acknowledgements are facts, so the
 * acknowledged set is the union of both (the highest `ackedUpTo`, and a hole only where neither
 * saw the ack). Several processes save one device's cursor: a process that is behind can then
 * never move it back (sending again what was acknowledged) nor drop another's hole (never sending
 * it again). The legacy bookkeeping (`away`, `served`) is the writer's, as `next` says it.
 */
export function mergeCursor(stored: DeviceCursor | undefined, next: DeviceCursor): DeviceCursor {
  if (!stored) return next;
  const ackedUpTo = Math.max(stored.ackedUpTo, next.ackedUpTo);
  const storedHoles = new Set(stored.unacked);
  const nextHoles = new Set(next.unacked);
  const unackedIn = (holes: ReadonlySet<Position>, upTo: Position, position: Position): boolean => position > upTo || holes.has(position);
  const unacked = [...new Set([...stored.unacked, ...next.unacked])]
    .filter((position) => unackedIn(storedHoles, stored.ackedUpTo, position) && unackedIn(nextHoles, next.ackedUpTo, position))
    .sort((a, b) => a - b);
  return { ...next, ackedUpTo, unacked };
}
