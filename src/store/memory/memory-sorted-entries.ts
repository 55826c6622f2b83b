import { compareValues } from './memory-order.js';
import type { DocId } from '../ports/read-store.js';

/** A place between entries: before entry `index` of chunk `chunk`. */
export interface EntryGap {
  readonly chunk: number;
  readonly index: number;
}

/** A predicate on key values that is false for a leading run of entries and true for all the rest. */
export type Reached = (value: unknown) => boolean;

/**
 * Chunks stay below this size, so an insert in the middle moves at most one chunk rather
 * than the whole index, while lookups stay two binary searches.
 */
const MAX_CHUNK = 512;

/**
 * A run of entries, key values and `_id`s side by side rather than an object per entry: a
 * binary search reads the values array and the values, not an entry object for each probe
 * (on a large read model every probe is a cache miss), and an entry costs no allocation.
 */
interface Chunk {
  values: unknown[];
  ids: DocId[];
}

/** Negative, zero or positive as entry `index` of `chunk` orders before, with or after (value, id). */
function compareAt(chunk: Chunk, index: number, value: unknown, id: DocId): number {
  return compareValues(chunk.values[index], value) || compareValues(chunk.ids[index], id);
}

/**
 * Index entries (a key value and the `_id` of the document holding it) sorted by (value, id),
 * stored as a list of sorted chunks: O(log n) to find a position, O(log n + chunk) to insert
 * or remove, and iteration in either direction.
 */
export class SortedEntries {
  readonly #chunks: Chunk[] = [];
  #size = 0;
  /** The last chunk and entry, kept here: an append reads no other chunk than the one it writes. */
  #tail: Chunk | undefined;
  #lastValue: unknown;
  #lastId: DocId = 0;

  get size(): number {
    return this.#size;
  }

  insert(value: unknown, id: DocId): void {
    const chunks = this.#chunks;
    // Keys mostly grow (positions, ids): an append is one comparison, and a full last chunk
    // starts a new one rather than splitting, so appended chunks stay full.
    if (this.#size++ === 0 || (compareValues(this.#lastValue, value) || compareValues(this.#lastId, id)) < 0) {
      const tail = this.#tail;
      if (tail && tail.values.length < MAX_CHUNK) {
        tail.values.push(value);
        tail.ids.push(id);
      } else {
        chunks.push((this.#tail = { values: [value], ids: [id] }));
      }
      this.#lastValue = value;
      this.#lastId = id;
      return;
    }
    const chunkIndex = this.#chunkOf(value, id); // not past the end: the last entry is not below
    const chunk = chunks[chunkIndex] as Chunk;
    const at = indexIn(chunk, value, id);
    chunk.values.splice(at, 0, value);
    chunk.ids.splice(at, 0, id);
    if (chunk.values.length > MAX_CHUNK) {
      const half = MAX_CHUNK >> 1;
      chunks.splice(chunkIndex + 1, 0, { values: chunk.values.splice(half), ids: chunk.ids.splice(half) });
      this.#tail = chunks[chunks.length - 1];
    }
  }

  /** Removes the entry (value, id); false when there is none. */
  remove(value: unknown, id: DocId): boolean {
    const chunkIndex = this.#chunkOf(value, id);
    const chunk = this.#chunks[chunkIndex];
    if (!chunk) return false;
    const at = indexIn(chunk, value, id);
    if (at === chunk.values.length || compareAt(chunk, at, value, id) !== 0) return false;
    const wasLast = chunkIndex === this.#chunks.length - 1 && at === chunk.values.length - 1;
    chunk.values.splice(at, 1);
    chunk.ids.splice(at, 1);
    if (chunk.values.length === 0) {
      this.#chunks.splice(chunkIndex, 1);
      this.#tail = this.#chunks[this.#chunks.length - 1];
    }
    this.#size--;
    if (wasLast) this.#keepLast();
    return true;
  }

  /** The position of the first entry for which `reached` holds (the end when none does). */
  locate(reached: Reached): EntryGap {
    const chunks = this.#chunks;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const values = (chunks[middle] as Chunk).values;
      if (reached(values[values.length - 1])) high = middle;
      else low = middle + 1;
    }
    const chunk = chunks[low];
    return { chunk: low, index: chunk ? firstReached(chunk.values, reached) : 0 };
  }

  /** How many entries lie between two positions; costs one step per chunk in between. */
  distance(from: EntryGap, to: EntryGap): number {
    if (from.chunk === to.chunk) return Math.max(0, to.index - from.index);
    if (from.chunk > to.chunk) return 0;
    let count = (this.#chunks[from.chunk]?.values.length ?? 0) - from.index;
    for (let chunk = from.chunk + 1; chunk < to.chunk; chunk++) count += this.#chunks[chunk]?.values.length ?? 0;
    return count + to.index;
  }

  /** The `_id`s of the entries from `from` (included) to `to` (excluded), last first when `descending`. */
  *ids(from: EntryGap, to: EntryGap, descending: boolean): Generator<DocId> {
    if (descending) yield* this.#backward(from, to);
    else yield* this.#forward(from, to);
  }

  /** After the last entry went: the new last one. */
  #keepLast(): void {
    const last = this.#chunks[this.#chunks.length - 1];
    if (!last) return;
    this.#lastValue = last.values[last.values.length - 1];
    this.#lastId = last.ids[last.ids.length - 1] as DocId;
  }

  /** The first chunk whose last entry is not below (value, id); the chunk count when there is none. */
  #chunkOf(value: unknown, id: DocId): number {
    const chunks = this.#chunks;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = chunks[middle] as Chunk;
      if (compareAt(chunk, chunk.values.length - 1, value, id) >= 0) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  *#forward(from: EntryGap, to: EntryGap): Generator<DocId> {
    for (let chunkIndex = from.chunk; chunkIndex <= to.chunk; chunkIndex++) {
      const chunk = this.#chunks[chunkIndex];
      if (!chunk) return;
      const end = chunkIndex === to.chunk ? to.index : chunk.ids.length;
      for (let index = chunkIndex === from.chunk ? from.index : 0; index < end; index++) yield chunk.ids[index] as DocId;
    }
  }

  *#backward(from: EntryGap, to: EntryGap): Generator<DocId> {
    for (let chunkIndex = Math.min(to.chunk, this.#chunks.length - 1); chunkIndex >= from.chunk; chunkIndex--) {
      const { ids } = this.#chunks[chunkIndex] as Chunk;
      const start = chunkIndex === from.chunk ? from.index : 0;
      for (let index = (chunkIndex === to.chunk ? to.index : ids.length) - 1; index >= start; index--) {
        yield ids[index] as DocId;
      }
    }
  }
}

/** The index in `chunk` of the first entry not below (value, id). */
function indexIn(chunk: Chunk, value: unknown, id: DocId): number {
  let low = 0;
  let high = chunk.values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareAt(chunk, middle, value, id) >= 0) high = middle;
    else low = middle + 1;
  }
  return low;
}

function firstReached(values: readonly unknown[], reached: Reached): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (reached(values[middle])) high = middle;
    else low = middle + 1;
  }
  return low;
}
