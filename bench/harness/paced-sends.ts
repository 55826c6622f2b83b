import { nowMs } from './clock.js';
import type { PairClients } from './pair-clients.js';
import type { PaceTask } from './pair-protocol.js';

/**
 * Sends this worker's share of latency's fixed-rate schedule: on each tick, every message due by
 * then whose pair's sender is here. Ticks come about every millisecond, so messages go out one
 * or two at a time, never in bursts. Resolves once the worker's share is sent.
 */
export function sendPaced(clients: PairClients, { startAt, rate, total, pairs }: PaceTask): Promise<null> {
  let next = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.max(0, Math.floor(((nowMs() - startAt) / 1000) * rate)));
      for (; next < due; next++) {
        const sender = clients.senders.get(next % pairs);
        if (sender) clients.sendNext(sender);
      }
      if (next < total) setTimeout(tick, 1);
      else resolve(null);
    };
    tick();
  });
}
