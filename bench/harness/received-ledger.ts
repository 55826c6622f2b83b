import type { TomlFrame } from '../../src/codecs/im/toml-frame.js';
import type { ErrorLog } from './error-log.js';
import { textOf } from './sent-ledger.js';

/**
 * What one recipient received from its sender, by sequence number: each message at most once,
 * with the right `c`, `to` and a numeric `mid`. Whether it got every message the sender sent
 * (and none it did not send) is judged by the parent, which knows both sides: `received` must
 * equal the sender's count and `highest` be below it.
 */
export class ReceivedLedger {
  /** When each message arrived on the shared clock (`nowMs`), by sequence number. */
  readonly receivedAt: number[] = [];
  private receivedCount = 0;
  private highestSeq = -1;

  constructor(
    readonly sender: number,
    readonly recipient: number,
    private readonly errors: ErrorLog,
  ) {}

  get received(): number {
    return this.receivedCount;
  }

  /** The highest sequence number received; -1 before the first. */
  get highest(): number {
    return this.highestSeq;
  }

  /** A `[[m]]` of our sender received at `now`; false when it is wrong (and logged). */
  receive(frame: TomlFrame, now: number): boolean {
    const seq = Number(frame.fields['id']);
    const { c, to, mid } = frame.fields;
    if (!Number.isInteger(seq) || seq < 0) {
      this.errors.add(`delivered a message ${this.sender} never sent: ${JSON.stringify(frame.fields)}`);
    } else if (c !== textOf(this.sender, seq) || to !== this.recipient || typeof mid !== 'number') {
      this.errors.add(`message ${this.sender}/${seq} delivered with wrong fields: ${JSON.stringify(frame.fields)}`);
    } else if (this.receivedAt[seq] !== undefined) {
      this.errors.add(`message ${this.sender}/${seq} delivered twice`);
    } else {
      this.receivedAt[seq] = now;
      this.receivedCount += 1;
      this.highestSeq = Math.max(this.highestSeq, seq);
      return true;
    }
    return false;
  }
}
