import { createHmac, hkdfSync } from 'node:crypto';
import type { UserId } from '../../events/recorded-event.js';
import type { KeyStore } from '../ports/key-store.js';
import { KEY_BYTES, newDataKey, open, seal } from './personal-data-cipher.js';

/** A person's data key in clear, or the fact that they were erased. */
export type PersonKey = Buffer | 'erased';

/** Unwrapped keys kept in memory: a replay touches each person's key many times, the key store once. */
const CACHE_CAPACITY = 10_000;

/**
 * People's data keys, unwrapped with the master key, with a bounded cache in front of the key
 * store (least recently used out first). A person's key is made the first time their data is
 * written; an erased person never gets a new one. Erasing here drops the cached copy too.
 */
export class PersonKeys {
  private readonly cache = new Map<UserId, PersonKey>();
  private readonly pseudonymKey: Buffer;
  /**
   * How many erasures this process made, shared with the threads that open values with keys
   * they were given (page-opening.ts): work done before the count moved may hold a deleted key.
   */
  readonly erasures = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));

  constructor(
    readonly store: KeyStore,
    private readonly master: Buffer,
    private readonly capacity = CACHE_CAPACITY,
  ) {
    if (master.length !== KEY_BYTES) throw new Error(`the master key must be ${KEY_BYTES} bytes`);
    this.pseudonymKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'eschat/pseudonyms', KEY_BYTES));
  }

  /**
   * A keyed hash (HMAC-SHA-256 with a key derived from the master key) of a value that must
   * stay comparable but not readable: a login or phone in the name of its reservation stream.
   * Unkeyed, a phone number's hash would fall to trying every number.
   */
  pseudonym(value: string): string {
    return createHmac('sha256', this.pseudonymKey).update(value, 'utf8').digest('hex');
  }

  /** The key in memory, if there is one: the synchronous path of a replay. */
  cached(subject: UserId): PersonKey | undefined {
    const key = this.cache.get(subject);
    if (key !== undefined) {
      this.cache.delete(subject);
      this.cache.set(subject, key);
    }
    return key;
  }

  /** The person's key for reading; null when they never had one (their values cannot be sealed). */
  async lookup(subject: UserId): Promise<PersonKey | null> {
    const cached = this.cached(subject);
    if (cached !== undefined) return cached;
    const stored = await this.store.get(subject);
    return stored === null ? null : this.remember(subject, this.unwrap(subject, stored.state === 'key' ? stored.wrapped : null));
  }

  /** The person's key for writing, made now if they have none; 'erased' for an erased person. */
  async keyFor(subject: UserId): Promise<PersonKey> {
    const known = await this.lookup(subject);
    if (known !== null) return known;
    const stored = await this.store.create(subject, this.wrap(subject, newDataKey()));
    return this.remember(subject, this.unwrap(subject, stored.state === 'key' ? stored.wrapped : null));
  }

  /** Deletes the person's key: every value sealed with it is unreadable from now on, in every copy of the log. */
  async erase(subject: UserId): Promise<void> {
    await this.store.erase(subject);
    this.remember(subject, 'erased');
    Atomics.add(this.erasures, 0, 1);
  }

  /** Forgets the cached key, when another process erased the person (their UserErased was read). */
  forget(subject: UserId): void {
    this.cache.delete(subject);
  }

  /** The key sealed with the master key, bound to the person it is for. */
  wrap(subject: UserId, key: Buffer): Buffer {
    return seal(this.master, key, wrapContext(subject));
  }

  unwrap(subject: UserId, wrapped: Buffer | null): PersonKey {
    return wrapped === null ? 'erased' : open(this.master, wrapped, wrapContext(subject));
  }

  private remember(subject: UserId, key: PersonKey): PersonKey {
    this.cache.delete(subject);
    this.cache.set(subject, key);
    if (this.cache.size > this.capacity) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    return key;
  }
}

const wrapContext = (subject: UserId) => `eschat/key/user-${subject}`;
