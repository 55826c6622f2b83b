import { BenchFailure } from './bench-result.js';
import { describeErrors } from './error-log.js';
import type { ImTarget } from './im-target.js';
import type { PairConnect, PairProtocol } from './pair-protocol.js';
import { tallyPairs, type PairTally } from './pair-tally.js';
import { pairWorkerMain } from './repo-paths.js';
import { waitUntil } from './wait-until.js';
import { WorkerPool } from './worker-pool.js';

const WARM_UP_TIMEOUT_MS = 60_000;
/** Status requests while settling: each worker snapshots its ledgers, a few KiB each. */
const POLL_MS = 20;

/**
 * A target's users as pairs (users 2i and 2i+1: sender and recipient of pair i), held by worker
 * processes (`benches/pair-worker.ts`). Pair i's sender is in worker i mod W and its recipient
 * in worker i+1 mod W: with two workers or more, every message crosses from one process to
 * another, so the ledgers are checked here, all workers' together.
 */
export class PairRun {
  private constructor(
    readonly workers: WorkerPool<PairProtocol>,
    readonly pairs: number,
    private readonly what: string,
  ) {}

  static async start(target: ImTarget, workerCount: number): Promise<PairRun> {
    const what = `${target.name} clients`;
    const pairs = Math.floor(target.users.length / 2);
    const workers = WorkerPool.start<PairProtocol>(pairWorkerMain, workerCount, what);
    try {
      await workers.all('connect', (worker) => connectTask(target, pairs, workerCount, worker));
    } catch (error) {
      await workers.close();
      throw error;
    }
    return new PairRun(workers, pairs, what);
  }

  /**
   * One message per pair, delivered and acknowledged, before measuring: eschat creates a pair's
   * direct room on its first message, a one-off cost that is not the steady state measured.
   * Sequence number 0 of every pair is thus never measured.
   */
  async warmUp(): Promise<void> {
    await this.workers.all('warmUp', () => null);
    await this.settle(WARM_UP_TIMEOUT_MS, 'warm-up');
  }

  /**
   * Once sending has stopped: waits until every message sent was delivered and acknowledged,
   * then fails the benchmark if any was not, or if anything went wrong on the way.
   */
  async settle(timeoutMs: number, phase: string): Promise<void> {
    let tally: PairTally = { undelivered: 0, unacknowledged: 0, errors: { count: 0, first: [] } };
    const settled = async (): Promise<boolean> => {
      tally = await this.tally();
      return tally.errors.count > 0 || (tally.undelivered === 0 && tally.unacknowledged === 0);
    };
    await waitUntil(settled, timeoutMs, POLL_MS);
    if (tally.errors.count > 0 || tally.undelivered > 0 || tally.unacknowledged > 0) {
      const errors = describeErrors(tally.errors);
      throw new BenchFailure(
        `${this.what}, ${phase}: ${tally.undelivered} undelivered, ${tally.unacknowledged} unacknowledged after ${timeoutMs} ms${errors ? `, ${errors}` : ''}`,
      );
    }
  }

  close(): Promise<void> {
    return this.workers.close();
  }

  private async tally(): Promise<PairTally> {
    return tallyPairs(await this.workers.all('status', () => null));
  }
}

function connectTask(target: ImTarget, pairs: number, workers: number, worker: number): PairConnect {
  const task: PairConnect = { imUrl: target.imUrl, senders: [], recipients: [] };
  for (let pair = 0; pair < pairs; pair++) {
    const [sender, recipient] = [target.users[2 * pair]!, target.users[2 * pair + 1]!];
    if (pair % workers === worker) task.senders.push({ pair, user: sender, peer: recipient.id });
    if ((pair + 1) % workers === worker) task.recipients.push({ pair, user: recipient, peer: sender.id });
  }
  return task;
}
