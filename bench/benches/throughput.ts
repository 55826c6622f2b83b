import { pick } from '../harness/bench-options.js';
import { figure, type Figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { closePairs, connectPairs, sendNext, settle, warmUp, type ImPair } from '../harness/im-pairs.js';
import { eschatTarget, relayTarget, type ImTarget } from '../harness/im-target.js';
import { sleep } from '../harness/wait-until.js';

const WINDOW = 64;

interface Outcome {
  /** Messages received by recipients per second of the measured interval. */
  delivered: number;
  /** Acknowledgements received by senders per second. */
  acknowledged: number;
}

/**
 * 500 pairs, each sender keeping 64 messages in flight (sent and not yet acknowledged) for
 * 20 s: messages delivered per second, against the bare relay driven the same way.
 */
export const throughputBench: Bench = {
  name: 'throughput',
  async run(options) {
    const seconds = pick(options, 20, 3);
    const pairs = pick(options, 500, 100);
    const eschat = await measure(await eschatTarget(options, pairs * 2), seconds);
    const relay = await measure(await relayTarget(options, pairs * 2), seconds);
    return figures(eschat, relay);
  },
};

async function measure(target: ImTarget, seconds: number): Promise<Outcome> {
  const errors: string[] = [];
  let sending = false;
  let delivered = 0;
  let acknowledged = 0;
  let counting = false;
  let pairs: ImPair[] = [];
  try {
    pairs = await connectPairs(target, errors, {
      delivered: () => counting && delivered++,
      acknowledged: (pair) => {
        if (counting) acknowledged++;
        // The window slides: each acknowledgement lets the sender put one more in flight.
        if (sending && pair.ledger.unacknowledged < WINDOW) sendNext(pair);
      },
    });
    await warmUp(pairs, errors, `throughput (${target.name})`);
    sending = true;
    for (const pair of pairs) for (let i = 0; i < WINDOW; i++) sendNext(pair);
    // A second to reach the steady state before counting.
    await sleep(1000);
    counting = true;
    const started = performance.now();
    await sleep(seconds * 1000);
    counting = false;
    const elapsed = (performance.now() - started) / 1000;
    sending = false;
    await settle(pairs, errors, 60_000, `throughput (${target.name})`);
    return { delivered: delivered / elapsed, acknowledged: acknowledged / elapsed };
  } finally {
    closePairs(pairs);
    await target.stop();
  }
}

function figures(eschat: Outcome, relay: Outcome): Figure[] {
  return [
    figure('throughput', 'delivered', eschat.delivered, 'msg/s', relay.delivered, { op: '>=', limit: 50_000, of: 'value' }),
    figure('throughput', 'delivered vs relay', eschat.delivered, 'msg/s', relay.delivered, { op: '>=', limit: 0.25, of: 'ratio' }),
    figure('throughput', 'acknowledged', eschat.acknowledged, 'msg/s', relay.acknowledged),
  ];
}
