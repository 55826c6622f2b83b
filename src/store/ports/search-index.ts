import type { SearchTerm } from './search-text.js';

/**
 * The full-text search port: an index of message texts, kept by a follower of the log with
 * its own checkpoint (projections/search-indexer.ts), and queried within a set of rooms.
 * Adapters: sqlite-search-index (FTS5; the embedded default and, in memory, the memory read
 * store) and mongo-search-index (a MongoDB text index).
 */

/** A message as the index keeps it; `id` is its log position. */
export interface IndexedMessage {
  id: number;
  room: number;
  sender: number;
  /** ISO-8601 time it was sent. */
  at: string;
  text: string;
}

/** One write; each is idempotent, keyed by the message id. */
export type SearchWrite =
  | { upsert: IndexedMessage }
  | { edit: { id: number; text: string } }
  | { delete: { id: number } }
  /** An erased person's messages leave the index (their texts are `[erased]` everywhere else). */
  | { eraseSender: { sender: number } };

/**
 * Writes committed with the move of the index's checkpoint from `from` to `to`, only if the
 * checkpoint is still at `from`: a process that lags cannot write an older state (a deleted
 * message back) over what another process indexed.
 */
export interface SearchBatch {
  from: number;
  to: number;
  writes: readonly SearchWrite[];
}

export interface SearchQuery {
  /** Every term must match (search-text.ts); at least one. */
  terms: readonly SearchTerm[];
  /** Only messages of these rooms. */
  rooms: readonly number[];
  /** Only messages older than this id; null for the newest. */
  before: number | null;
  limit: number;
}

export interface SearchIndex {
  /** The log position the index has applied. */
  checkpoint(): Promise<number>;
  /** Applies the batch atomically; false, applying nothing, when the checkpoint is no longer at `from`. */
  commit(batch: SearchBatch): Promise<boolean>;
  /** The matching messages, newest first. */
  search(query: SearchQuery): Promise<IndexedMessage[]>;
  close(): Promise<void>;
}
