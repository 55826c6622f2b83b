import type { UserId } from '../../events/recorded-event.js';

/** What a value was before it was sealed, and for whom and which field. */
interface Plain {
  subject: UserId;
  field: string;
  value: unknown;
}

/** Enough for the sends sealed while one log sync runs, many times over; past it the oldest go (they are decrypted instead). */
const CAPACITY = 4096;

/**
 * The values this process sealed lately, by their sealed text, until the live subscription
 * brings them back: each sent message used to be decrypted again (AES-GCM, about a tenth of
 * the server's busy time under the throughput bench) right after it was sealed. A sealed text
 * holds a fresh random IV, so it names one value; it is answered only for the same person and
 * field, the context its authentication would have checked. Only primitive values are kept: a
 * reader never shares an object with the appender. Taken once: a second reader decrypts.
 */
export class RecentlySealed {
  private readonly values = new Map<string, Plain>();

  constructor(private readonly capacity = CAPACITY) {}

  get size(): number {
    return this.values.size;
  }

  remember(sealed: string, subject: UserId, field: string, value: unknown): void {
    if (typeof value === 'object' && value !== null) return;
    if (this.values.size >= this.capacity) this.values.delete(this.values.keys().next().value as string);
    this.values.set(sealed, { subject, field, value });
  }

  /** The value sealed as `sealed` for this person and field, forgotten now; undefined when not known. */
  take(sealed: string, subject: UserId, field: string): { value: unknown } | undefined {
    const plain = this.values.get(sealed);
    if (plain === undefined || plain.subject !== subject || plain.field !== field) return undefined;
    this.values.delete(sealed);
    return { value: plain.value };
  }

  /** Forgets what an append that failed sealed: no reader will bring it back. */
  forget(sealed: string): void {
    this.values.delete(sealed);
  }
}
