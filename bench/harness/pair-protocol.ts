import type { ErrorSummary } from './error-log.js';
import type { BenchUser } from './population.js';
import type { SentTimes } from './sent-ledger.js';

/** One end of pair `pair`: the user this worker logs in, and the user at the other end. */
export interface PairEnd {
  pair: number;
  user: BenchUser;
  peer: number;
}

export interface PairConnect {
  imUrl: string;
  senders: PairEnd[];
  recipients: PairEnd[];
}

/**
 * Latency's schedule: global message k (0 <= k < total) is due at `startAt + (k + 1) / rate`
 * (seconds) on the shared clock and goes to pair `k % pairs`; each worker sends those of its
 * own senders, so the workers together send exactly what one paced loop would.
 */
export interface PaceTask {
  startAt: number;
  rate: number;
  total: number;
  pairs: number;
}

/**
 * Throughput's load: every sender keeps `window` messages unacknowledged until `countUntil`;
 * deliveries and acknowledgements stamped in [countFrom, countUntil) are counted.
 */
export interface WindowTask {
  window: number;
  countFrom: number;
  countUntil: number;
}

export interface WindowCounts {
  delivered: number;
  acknowledged: number;
}

export interface PairStatus {
  senders: Array<{ pair: number; sent: number; acknowledged: number }>;
  recipients: Array<{ pair: number; received: number; highest: number }>;
  errors: ErrorSummary;
}

export interface PairTimes {
  senders: Array<{ pair: number } & SentTimes>;
  recipients: Array<{ pair: number; receivedAt: number[] }>;
}

/** What the parent asks of a pair worker (`benches/pair-worker.ts`). */
export type PairProtocol = {
  connect: { request: PairConnect; reply: null };
  /** One message from each sender; answered once they are sent. */
  warmUp: { request: null; reply: null };
  /** Answered once this worker's share of the schedule is sent. */
  pace: { request: PaceTask; reply: null };
  /** Answered at `countUntil`, when this worker's senders stop. */
  windowed: { request: WindowTask; reply: WindowCounts };
  status: { request: null; reply: PairStatus };
  times: { request: null; reply: PairTimes };
};
