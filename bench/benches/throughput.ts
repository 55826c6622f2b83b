import { pick, workerCount } from '../harness/bench-options.js';
import { figure, type Figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { nowMs } from '../harness/clock.js';
import { eschatTarget, relayTarget, type ImTarget } from '../harness/im-target.js';
import { PairRun } from '../harness/pair-run.js';

const WINDOW = 64;
/**
 * On the 2-core benchmark machine the server (or the relay) takes one core and the clients the
 * other, and both whenever the server waits on an fsync: two event loops then read in parallel.
 */
export const THROUGHPUT_WORKERS = 2;
/** A second to reach the steady state before counting. */
const RAMP_MS = 1000;

interface Outcome {
  /** Messages received by recipients per second of the measured interval. */
  delivered: number;
  /** Acknowledgements received by senders per second. */
  acknowledged: number;
}

/**
 * 500 pairs, each sender keeping 64 messages in flight (sent and not yet acknowledged) for
 * 20 s: messages delivered per second, against the bare relay driven the same way. The workers
 * count what they stamp within the same interval of the shared clock.
 */
export const throughputBench: Bench = {
  name: 'throughput',
  async run(options) {
    const seconds = pick(options, 20, 3);
    const pairs = pick(options, 500, 100);
    const workers = workerCount(options, THROUGHPUT_WORKERS);
    const eschat = await measureThroughput(await eschatTarget(options, pairs * 2), workers, seconds);
    const relay = await measureThroughput(await relayTarget(options, pairs * 2), workers, seconds);
    return figures(eschat, relay);
  },
};

/**
 * The target's pairs (then stopped), each sender keeping WINDOW messages in flight for `seconds`
 * after a ramp: what was delivered and acknowledged per second, every message checked (PairRun).
 */
export async function measureThroughput(target: ImTarget, workers: number, seconds: number): Promise<Outcome> {
  let run: PairRun | null = null;
  try {
    run = await PairRun.start(target, workers);
    await run.warmUp();
    const countFrom = nowMs() + RAMP_MS;
    const window = { window: WINDOW, countFrom, countUntil: countFrom + seconds * 1000 };
    const counts = await run.workers.all('windowed', () => window);
    await run.settle(60_000, 'after the load');
    const sum = (key: keyof Outcome): number => counts.reduce((total, count) => total + count[key], 0) / seconds;
    return { delivered: sum('delivered'), acknowledged: sum('acknowledged') };
  } finally {
    await run?.close();
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
