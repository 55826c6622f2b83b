import type { UserId } from '../../events/recorded-event.js';

/** What a value was before it was sealed, for whom and which field, and what keeping it costs. */
interface Plain {
  subject: UserId;
  field: string;
  value: unknown;
  bytes: number;
}

/**
 * About 16 MiB: every send in flight under load, many times over (the throughput bench keeps
 * 32,000 in flight, all sealed as they arrive, about 170 bytes each here); past it the oldest go,
 * and are decrypted instead.
 */
const BUDGET_BYTES = 16 * 1024 * 1024;
/** A Map entry and its record, roughly. */
const ENTRY_BYTES = 64;

/**
 * The values this process sealed lately, by their sealed text, until the live subscription
 * brings them back: each sent message used to be decrypted again (AES-GCM) right after it was
 * sealed. A sealed text holds a fresh random IV, so it names one value; it is answered only for
 * the same person and field, the context its authentication would have checked. Only primitive
 * values are kept: a reader never shares an object with the appender. Taken once: a second
 * reader decrypts. Bounded by an estimate of the memory it holds, not a count: a text may be
 * 10,000 characters.
 */
export class RecentlySealed {
  private readonly values = new Map<string, Plain>();
  private bytes = 0;

  constructor(private readonly budgetBytes = BUDGET_BYTES) {}

  get size(): number {
    return this.values.size;
  }

  remember(sealed: string, subject: UserId, field: string, value: unknown): void {
    if (typeof value === 'object' && value !== null) return;
    const bytes = ENTRY_BYTES + sealed.length + (typeof value === 'string' ? 2 * value.length : 8);
    if (bytes > this.budgetBytes) return;
    this.bytes += bytes;
    this.values.set(sealed, { subject, field, value, bytes });
    if (this.bytes <= this.budgetBytes) return;
    // An eighth at a time: a Map walked from its start passes every entry deleted since it last
    // compacted, so dropping one per insert cost a walk over tens of thousands per send once full.
    for (const [oldest, plain] of this.values) {
      this.drop(oldest, plain);
      if (this.bytes <= this.budgetBytes - this.budgetBytes / 8) return;
    }
  }

  /** The value sealed as `sealed` for this person and field, forgotten now; undefined when not known. */
  take(sealed: string, subject: UserId, field: string): { value: unknown } | undefined {
    const plain = this.values.get(sealed);
    if (plain === undefined || plain.subject !== subject || plain.field !== field) return undefined;
    this.drop(sealed, plain);
    return { value: plain.value };
  }

  /** Forgets what an append that failed sealed: no reader will bring it back. */
  forget(sealed: string): void {
    const plain = this.values.get(sealed);
    if (plain !== undefined) this.drop(sealed, plain);
  }

  private drop(sealed: string, plain: Plain): void {
    this.values.delete(sealed);
    this.bytes -= plain.bytes;
  }
}
