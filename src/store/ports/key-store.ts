import type { UserId } from '../../events/recorded-event.js';

/** A person's key as the key store keeps it: wrapped (encrypted) with the master key, or gone. */
export type StoredKey = { state: 'key'; wrapped: Buffer } | { state: 'erased' };

/**
 * The key store port: one data key per person, kept outside the event log, so that deleting
 * it erases the person's data everywhere the log is (crypto-shredding). Keys are stored
 * wrapped with the master key; the store never sees one in clear. An erased person keeps a
 * tombstone, so that no new key is ever made for them and a reader can tell "erased" from
 * "never had a key" (a log written before encryption). Adapters: sqlite-key-store (`keys.db`
 * in the data directory), mongo-key-store (a collection beside the read models).
 */
export interface KeyStore {
  /** The person's key, their tombstone, or null when they never had a key. */
  get(subject: UserId): Promise<StoredKey | null>;
  /**
   * Keeps `wrapped` as the person's key unless they already have one or were erased: the
   * stored state wins, so two writers racing agree on one key.
   */
  create(subject: UserId, wrapped: Buffer): Promise<StoredKey>;
  /** Deletes the person's key for good (from the file too: no copy left in free pages or a journal), leaving a tombstone. */
  erase(subject: UserId): Promise<void>;
  /** Every person's state, for copying the store along with a log. */
  entries(): AsyncIterable<[UserId, StoredKey]>;
  close(): Promise<void>;
}
