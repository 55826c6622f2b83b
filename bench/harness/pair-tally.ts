import { ErrorLog, mergeErrors, type ErrorSummary } from './error-log.js';
import type { PairStatus } from './pair-protocol.js';

/** All pairs of all workers as one: what is still outstanding, and what went wrong. */
export interface PairTally {
  undelivered: number;
  unacknowledged: number;
  errors: ErrorSummary;
}

/**
 * Puts the workers' ledgers together: a pair's sender and recipient may be in different
 * workers, so only here is it known whether a recipient got as many messages as its sender
 * sent. With no duplicate (each recipient checks) and none above the sender's count, equal
 * counts mean every message exactly once. Only meaningful once sending has stopped.
 */
export function tallyPairs(statuses: readonly PairStatus[]): PairTally {
  const sent = new Map<number, number>();
  let unacknowledged = 0;
  for (const sender of statuses.flatMap((status) => status.senders)) {
    sent.set(sender.pair, sender.sent);
    unacknowledged += sender.sent - sender.acknowledged;
  }
  const mismatches = new ErrorLog();
  let undelivered = 0;
  for (const { pair, received, highest } of statuses.flatMap((status) => status.recipients)) {
    const count = sent.get(pair) ?? 0;
    undelivered += count - received;
    if (highest >= count) mismatches.add(`pair ${pair}: message ${highest} delivered, but only ${count} were sent`);
  }
  return { undelivered, unacknowledged, errors: mergeErrors([...statuses.map((status) => status.errors), mismatches.snapshot]) };
}
