import type { TomlFrame } from '../../src/codecs/toml-frame.js';

const DELIVERED = 1;
const ACKED = 2;

/** The text a message carries: checked on receipt, so a frame mixed up with another is caught. */
export const textOf = (sender: number, seq: number): string => `bench ${sender} ${seq}`;

/**
 * What one sender sent, by sequence number (its client message id), and what became of each:
 * delivered once to its recipient, acknowledged once to its sender. Every deviation is an
 * error of the benchmark, with the message named.
 */
export class MessageLedger {
  private readonly sentAt: number[] = [];
  private readonly state: number[] = [];
  private outstandingAcks = 0;
  private outstandingDeliveries = 0;

  constructor(
    readonly sender: number,
    readonly recipient: number,
    private readonly errors: string[],
  ) {}

  /** Records a send at `now` (ms); returns the id and text to send. */
  send(now: number): { id: string; text: string } {
    const seq = this.sentAt.length;
    this.sentAt.push(now);
    this.state.push(0);
    this.outstandingAcks += 1;
    this.outstandingDeliveries += 1;
    return { id: String(seq), text: textOf(this.sender, seq) };
  }

  get sent(): number {
    return this.sentAt.length;
  }

  /** Messages sent but not yet acknowledged: the sender's window. */
  get unacknowledged(): number {
    return this.outstandingAcks;
  }

  get undelivered(): number {
    return this.outstandingDeliveries;
  }

  /** A `[[m]]` the recipient received; returns ms since its send, or null when it is wrong. */
  delivered(frame: TomlFrame, recipient: number, now: number): number | null {
    const seq = this.seqOf(frame, 'delivered');
    if (seq === null) return null;
    const { c, to, mid } = frame.fields;
    if (c !== textOf(this.sender, seq) || to !== recipient || typeof mid !== 'number') {
      this.errors.push(`message ${this.sender}/${seq} delivered with wrong fields: ${JSON.stringify(frame.fields)}`);
      return null;
    }
    return this.mark(seq, DELIVERED, 'delivered') ? now - (this.sentAt[seq] as number) : null;
  }

  /** The `[[a]]` of a send; returns ms since the send, or null when it is wrong. */
  acknowledged(frame: TomlFrame, now: number): number | null {
    const seq = this.seqOf(frame, 'acknowledged');
    if (seq === null) return null;
    if (typeof frame.fields['mid'] !== 'number') {
      this.errors.push(`message ${this.sender}/${seq} acknowledged without mid: ${JSON.stringify(frame.fields)}`);
      return null;
    }
    return this.mark(seq, ACKED, 'acknowledged') ? now - (this.sentAt[seq] as number) : null;
  }

  private seqOf(frame: TomlFrame, what: string): number | null {
    const seq = Number(frame.fields['id']);
    if (Number.isInteger(seq) && seq >= 0 && seq < this.sentAt.length) return seq;
    this.errors.push(`${what} a message ${this.sender} never sent: ${JSON.stringify(frame.fields)}`);
    return null;
  }

  private mark(seq: number, flag: number, what: string): boolean {
    const state = this.state[seq] as number;
    if (state & flag) {
      this.errors.push(`message ${this.sender}/${seq} ${what} twice`);
      return false;
    }
    this.state[seq] = state | flag;
    if (flag === ACKED) this.outstandingAcks -= 1;
    else this.outstandingDeliveries -= 1;
    return true;
  }
}
