import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

/**
 * A pass-through that counts and hashes what flows through it, so a store computes the size
 * and SHA-256 of what it writes in the same pass.
 */
export class MediaDigest extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }

  /** The hex SHA-256 of everything that went through; call once, after the end. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}
