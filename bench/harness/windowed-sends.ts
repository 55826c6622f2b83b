import { nowMs } from './clock.js';
import type { PairClients } from './pair-clients.js';
import type { WindowCounts, WindowTask } from './pair-protocol.js';

/**
 * Throughput's load from this worker's senders: each puts `window` messages in flight and one
 * more per acknowledgement, until `countUntil`. Counts what is stamped in the counting interval,
 * so the workers' counts add up over exactly the same interval whatever the IPC's delays.
 * Resolves with the counts at `countUntil`: nothing stamped later can count.
 */
export function sendWindowed(clients: PairClients, { window, countFrom, countUntil }: WindowTask): Promise<WindowCounts> {
  const counts: WindowCounts = { delivered: 0, acknowledged: 0 };
  const counted = (now: number): boolean => now >= countFrom && now < countUntil;
  clients.hooks = {
    delivered: (now) => {
      if (counted(now)) counts.delivered++;
    },
    acknowledged: (sender, now) => {
      if (counted(now)) counts.acknowledged++;
      // The window slides: each acknowledgement lets the sender put one more in flight.
      if (now < countUntil && sender.ledger.unacknowledged < window) clients.sendNext(sender);
    },
  };
  for (const sender of clients.senders.values()) for (let i = 0; i < window; i++) clients.sendNext(sender);
  return new Promise((resolve) => {
    // Timers have millisecond granularity on another clock: re-armed until the shared clock is there.
    const stopWhenDue = (): void => {
      const left = countUntil - nowMs();
      if (left > 0) return void setTimeout(stopWhenDue, Math.ceil(left));
      clients.hooks = {};
      resolve(counts);
    };
    stopWhenDue();
  });
}
