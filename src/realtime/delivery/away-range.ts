import type { Position } from '../../events/recorded-event.js';
import type { AwayRange } from '../../store/ports/delivery-state-store.js';

/**
 * Ranges a cursor keeps at most: a client that logs in again and again without `DELETE /offline`
 * has its oldest two merged, so that what lies between them (sent to it meanwhile) may be served
 * again by `GET /offline`, never lost.
 */
const MAX_RANGES = 16;

/** Whether the position arrived while the device was away. */
export function inAway(away: readonly AwayRange[] | undefined, position: Position): boolean {
  return away !== undefined && away.some((range) => position > range.after && position <= range.upTo);
}

/** The ranges with one more after them (ascending): joined to the last one when they touch. */
export function withRange(away: readonly AwayRange[] | undefined, range: AwayRange): AwayRange[] {
  const ranges = [...(away ?? [])];
  const last = ranges[ranges.length - 1];
  if (last && last.upTo >= range.after) ranges[ranges.length - 1] = { after: last.after, upTo: Math.max(last.upTo, range.upTo) };
  else ranges.push(range);
  while (ranges.length > MAX_RANGES) ranges.splice(0, 2, { after: ranges[0]!.after, upTo: ranges[1]!.upTo });
  return ranges;
}

/** What is left of the ranges above `position`; undefined when nothing is. */
export function above(away: readonly AwayRange[] | undefined, position: Position): AwayRange[] | undefined {
  const left = (away ?? [])
    .filter((range) => range.upTo > position)
    .map((range) => ({ after: Math.max(range.after, position), upTo: range.upTo }));
  return left.length > 0 ? left : undefined;
}

/** Where the oldest range starts. */
export function awayFrom(away: readonly AwayRange[] | undefined): Position {
  return away?.[0]?.after ?? Infinity;
}
