import type { ErrorSummary } from './error-log.js';
import type { BenchUser } from './population.js';

export interface FanoutConnect {
  imUrl: string;
  groupId: number;
  /** The group's creator: the sender of every message. */
  creator: BenchUser;
  /** Whether this worker holds the creator's connection (one worker does). */
  sends: boolean;
  /** The members this worker holds: they receive, they never send. */
  members: BenchUser[];
  /** Messages of the run: message ids are 0 .. messages - 1. */
  messages: number;
}

/** A worker's members and message `seq`: how many have it, when the last one here got it (shared clock). */
export interface RoundReport {
  received: number;
  lastAt: number;
  errors: ErrorSummary;
}

/** The creator's send of message `seq`, stamped on the shared clock, and whether its `[[a]]` came. */
export interface SendReport {
  sentAt: number;
  acknowledged: boolean;
  errors: ErrorSummary;
}

/** What the parent asks of a fanout worker (`benches/fanout-worker.ts`). */
export type FanoutProtocol = {
  connect: { request: FanoutConnect; reply: null };
  /** Answered once every member here has message `seq`, or with what arrived when it times out. */
  round: { request: number; reply: RoundReport };
  /** The creator sends message `seq`; answered on its `[[a]]`, or when that times out. */
  send: { request: number; reply: SendReport };
};
