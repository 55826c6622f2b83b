import { randomBytes } from 'node:crypto';

/** How many nonces one call to the system's randomness draws: one call per value costs more than the cipher on a short text. */
const BATCH = 1024;

/**
 * Random nonces (or IVs) of one length, drawn from the system's randomness in batches. Each is a
 * view of its batch: a batch is replaced, never overwritten, and sealed bytes hold a copy.
 */
export class RandomNonces {
  private batch = Buffer.alloc(0);
  private at = 0;

  constructor(private readonly bytes: number) {}

  next(): Buffer {
    if (this.at + this.bytes > this.batch.length) {
      this.batch = randomBytes(this.bytes * BATCH);
      this.at = 0;
    }
    this.at += this.bytes;
    return this.batch.subarray(this.at - this.bytes, this.at);
  }
}
