import { pick } from '../harness/bench-options.js';
import { figure, type Figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { closePairs, connectPairs, sendNext, settle, warmUp, type ImPair } from '../harness/im-pairs.js';
import { eschatTarget, relayTarget, type ImTarget } from '../harness/im-target.js';
import { Samples } from '../harness/percentiles.js';

const PAIRS = 50;
const RATE_PER_SECOND = 1000;

interface Latencies {
  delivery: Samples;
  ack: Samples;
}

/**
 * 50 pairs, 1:1 text messages at 1,000 msg/s in all, spread round-robin over the pairs: time
 * from send to the recipient's receipt and to the sender's `[[a]]`, against the bare relay.
 */
export const latencyBench: Bench = {
  name: 'latency',
  async run(options) {
    const seconds = pick(options, 10, 2);
    const eschat = await measure(await eschatTarget(options, PAIRS * 2), seconds);
    const relay = await measure(await relayTarget(options, PAIRS * 2), seconds);
    return figures(eschat, relay);
  },
};

async function measure(target: ImTarget, seconds: number): Promise<Latencies> {
  const errors: string[] = [];
  const latencies: Latencies = { delivery: new Samples(), ack: new Samples() };
  let recording = false;
  let pairs: ImPair[] = [];
  try {
    pairs = await connectPairs(target, errors, {
      delivered: (_pair, ms) => recording && latencies.delivery.add(ms * 1000),
      acknowledged: (_pair, ms) => recording && latencies.ack.add(ms * 1000),
    });
    await warmUp(pairs, errors, `latency (${target.name})`);
    recording = true;
    await paced(pairs, seconds);
    await settle(pairs, errors, 30_000, `latency (${target.name})`);
    return latencies;
  } finally {
    closePairs(pairs);
    await target.stop();
  }
}

/**
 * Sends at the fixed rate: on each tick, as many messages as are due by then. Ticks come
 * about every millisecond, so messages go out one or two at a time, never in bursts.
 */
function paced(pairs: readonly ImPair[], seconds: number): Promise<void> {
  const started = performance.now();
  const total = RATE_PER_SECOND * seconds;
  let sent = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE_PER_SECOND));
      for (; sent < due; sent++) sendNext(pairs[sent % pairs.length] as ImPair);
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
}

function figures(eschat: Latencies, relay: Latencies): Figure[] {
  const row = (metric: string, mine: Samples, theirs: Samples, p: number, limit: number): Figure[] => [
    figure('latency', `${metric} p${p}`, mine.percentile(p), 'us', theirs.percentile(p), { op: '<=', limit, of: 'value' }),
    ...(p === 50 ? [figure('latency', `${metric} p50 vs relay`, mine.percentile(p), 'us', theirs.percentile(p), { op: '<=', limit: 3, of: 'ratio' })] : []),
  ];
  return [
    ...row('send to receipt', eschat.delivery, relay.delivery, 50, 300),
    ...row('send to receipt', eschat.delivery, relay.delivery, 99, 1000),
    ...row('send to [[a]]', eschat.ack, relay.ack, 50, 300),
    ...row('send to [[a]]', eschat.ack, relay.ack, 99, 1000),
    figure('latency', 'messages measured', eschat.delivery.count, 'msg', relay.delivery.count),
  ];
}
