import type { TomlFrame } from '../../src/codecs/im/toml-frame.js';
import type { ErrorLog } from './error-log.js';

/** The text a message carries: checked on receipt, so a frame mixed up with another is caught. */
export const textOf = (sender: number, seq: number): string => `bench ${sender} ${seq}`;

/** A sender's sends and their `[[a]]`, stamped on the shared clock (`nowMs`), by sequence number. */
export interface SentTimes {
  sentAt: number[];
  /** NaN where no `[[a]]` came. */
  ackedAt: number[];
}

/**
 * What one sender sent, by sequence number (its client message id), and the `[[a]]` of each:
 * acknowledged exactly once, with a `mid`. Its deliveries are checked where its recipient is
 * (`ReceivedLedger`, perhaps in another worker); the parent puts the two together.
 */
export class SentLedger {
  private readonly times: SentTimes = { sentAt: [], ackedAt: [] };
  private acknowledgedCount = 0;

  constructor(
    readonly sender: number,
    readonly recipient: number,
    private readonly errors: ErrorLog,
  ) {}

  /** Records a send at `now` (ms); returns the id and text to send. */
  send(now: number): { id: string; text: string } {
    const seq = this.times.sentAt.length;
    this.times.sentAt.push(now);
    this.times.ackedAt.push(NaN);
    return { id: String(seq), text: textOf(this.sender, seq) };
  }

  get sent(): number {
    return this.times.sentAt.length;
  }

  get acknowledged(): number {
    return this.acknowledgedCount;
  }

  /** Messages sent but not yet acknowledged: the sender's window. */
  get unacknowledged(): number {
    return this.sent - this.acknowledgedCount;
  }

  /** The `[[a]]` of a send received at `now`; false when it is wrong (and logged). */
  acknowledge(frame: TomlFrame, now: number): boolean {
    const seq = Number(frame.fields['id']);
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.sent) {
      this.errors.add(`acknowledged a message ${this.sender} never sent: ${JSON.stringify(frame.fields)}`);
    } else if (typeof frame.fields['mid'] !== 'number') {
      this.errors.add(`message ${this.sender}/${seq} acknowledged without mid: ${JSON.stringify(frame.fields)}`);
    } else if (!Number.isNaN(this.times.ackedAt[seq])) {
      this.errors.add(`message ${this.sender}/${seq} acknowledged twice`);
    } else {
      this.times.ackedAt[seq] = now;
      this.acknowledgedCount += 1;
      return true;
    }
    return false;
  }

  get stamps(): SentTimes {
    return this.times;
  }
}
