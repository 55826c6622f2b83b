import { compareValues } from './memory-order.js';
import type { DocId } from './read-store.js';

/** One index entry: a key value and the `_id` of the document holding it. */
export interface IndexEntry {
  readonly value: unknown;
  readonly id: DocId;
}

/** A place between entries: before entry `index` of chunk `chunk`. */
export interface Position {
  readonly chunk: number;
  readonly index: number;
}

/** A predicate that is false for a leading run of entries and true for all the rest. */
export type Reached = (entry: IndexEntry) => boolean;

/**
 * Chunks stay below this size, so an insert in the middle moves at most one chunk rather
 * than the whole index, while lookups stay two binary searches.
 */
const MAX_CHUNK = 512;

export function compareEntries(a: IndexEntry, b: IndexEntry): number {
  return compareValues(a.value, b.value) || compareValues(a.id, b.id);
}

/**
 * Index entries sorted by (value, id), stored as a list of sorted chunks: O(log n) to find
 * a position, O(log n + chunk) to insert or remove, and iteration in either direction.
 */
export class SortedEntries {
  readonly #chunks: IndexEntry[][] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  insert(entry: IndexEntry): void {
    const chunks = this.#chunks;
    const at = this.locate((other) => compareEntries(other, entry) >= 0);
    const chunkIndex = Math.min(at.chunk, chunks.length - 1);
    const chunk = chunks[chunkIndex];
    this.#size++;
    if (!chunk) {
      chunks.push([entry]);
      return;
    }
    chunk.splice(at.chunk === chunkIndex ? at.index : chunk.length, 0, entry);
    if (chunk.length > MAX_CHUNK) chunks.splice(chunkIndex + 1, 0, chunk.splice(MAX_CHUNK >> 1));
  }

  /** Removes the entry equal to `entry`; false when there is none. */
  remove(entry: IndexEntry): boolean {
    const at = this.locate((other) => compareEntries(other, entry) >= 0);
    const chunk = this.#chunks[at.chunk];
    const found = chunk?.[at.index];
    if (!chunk || !found || compareEntries(found, entry) !== 0) return false;
    chunk.splice(at.index, 1);
    if (chunk.length === 0) this.#chunks.splice(at.chunk, 1);
    this.#size--;
    return true;
  }

  /** The position of the first entry for which `reached` holds (the end when none does). */
  locate(reached: Reached): Position {
    const chunks = this.#chunks;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = chunks[middle] as IndexEntry[];
      if (reached(chunk[chunk.length - 1] as IndexEntry)) high = middle;
      else low = middle + 1;
    }
    const chunk = chunks[low];
    return chunk ? { chunk: low, index: firstReached(chunk, reached) } : { chunk: low, index: 0 };
  }

  /** How many entries lie between two positions; costs one step per chunk in between. */
  distance(from: Position, to: Position): number {
    if (from.chunk === to.chunk) return Math.max(0, to.index - from.index);
    if (from.chunk > to.chunk) return 0;
    let count = (this.#chunks[from.chunk]?.length ?? 0) - from.index;
    for (let chunk = from.chunk + 1; chunk < to.chunk; chunk++) count += this.#chunks[chunk]?.length ?? 0;
    return count + to.index;
  }

  /** The entries from `from` (included) to `to` (excluded), last first when `descending`. */
  *between(from: Position, to: Position, descending: boolean): Generator<IndexEntry> {
    if (descending) yield* this.#backward(from, to);
    else yield* this.#forward(from, to);
  }

  *#forward(from: Position, to: Position): Generator<IndexEntry> {
    for (let chunkIndex = from.chunk; chunkIndex <= to.chunk; chunkIndex++) {
      const chunk = this.#chunks[chunkIndex];
      if (!chunk) return;
      const end = chunkIndex === to.chunk ? to.index : chunk.length;
      for (let index = chunkIndex === from.chunk ? from.index : 0; index < end; index++) yield chunk[index] as IndexEntry;
    }
  }

  *#backward(from: Position, to: Position): Generator<IndexEntry> {
    for (let chunkIndex = Math.min(to.chunk, this.#chunks.length - 1); chunkIndex >= from.chunk; chunkIndex--) {
      const chunk = this.#chunks[chunkIndex] as IndexEntry[];
      const start = chunkIndex === from.chunk ? from.index : 0;
      for (let index = (chunkIndex === to.chunk ? to.index : chunk.length) - 1; index >= start; index--) {
        yield chunk[index] as IndexEntry;
      }
    }
  }
}

function firstReached(chunk: readonly IndexEntry[], reached: Reached): number {
  let low = 0;
  let high = chunk.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (reached(chunk[middle] as IndexEntry)) high = middle;
    else low = middle + 1;
  }
  return low;
}
