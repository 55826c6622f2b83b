import { compareValues } from './memory-order.js';
import { pathValues, splitPath } from './memory-paths.js';
import { SortedEntries } from './memory-sorted-entries.js';
import type { Document } from '../ports/read-store.js';

/** The values a document holds for an index's fields, in the index's field order. */
export type KeyTuple = readonly unknown[];

/**
 * A secondary index of the memory read store. Documents are grouped by the values of all
 * fields but the last (the prefix), and each group keeps its entries sorted on the last
 * field: equality on every field is a hash lookup then a binary search, and a range or a
 * sort on the last field (messages of a room by seq) walks only the entries it returns.
 */
export class MemoryIndex {
  readonly fields: readonly string[];
  readonly #buckets = new Map<string | number, SortedEntries>();
  /** The top-level field each index field starts with: where a write could change a key. */
  readonly #roots: readonly string[];
  /** No dot path among the fields: a key can be read straight off the document. */
  readonly #topLevel: boolean;
  #multikey = false;

  constructor(
    readonly name: string,
    readonly keys: Readonly<Record<string, 1 | -1>>,
    readonly unique: boolean,
  ) {
    this.fields = Object.keys(keys);
    this.#roots = this.fields.map((field) => splitPath(field)[0] as string);
    this.#topLevel = this.fields.every((field) => !field.includes('.'));
  }

  /** True once a document held several keys (an array value): one document, several entries. */
  get multikey(): boolean {
    return this.#multikey;
  }

  get prefixFields(): readonly string[] {
    return this.fields.slice(0, -1);
  }

  get lastField(): string {
    return this.fields[this.fields.length - 1] as string;
  }

  /** The document's key tuples: one, or one per element of its (single) array field. */
  keysOf(doc: Document): KeyTuple[] {
    const scalar = this.#scalarKey(doc);
    if (scalar) return [scalar];
    const perField = this.fields.map((field) => pathValues(doc, field));
    const arrays = perField.filter((values) => values.length > 1).length;
    if (arrays === 0) return [perField.map((values) => values[0])];
    if (arrays > 1) throw new Error(`cannot index parallel arrays in index ${this.name} (_id ${String(doc._id)})`);
    return crossProduct(perField);
  }

  /**
   * Whether `after` certainly has the same keys as `before`. Stored documents are never
   * mutated, an update copies only what it changes: identical top-level values mean
   * identical keys, without computing them.
   */
  unchanged(before: Document, after: Document): boolean {
    for (const root of this.#roots) if (before[root] !== after[root]) return false;
    return true;
  }

  add(id: Document['_id'], keys: readonly KeyTuple[]): void {
    if (keys.length > 1) this.#multikey = true;
    for (const key of keys) this.#addKey(id, key);
  }

  /** Adds a document's entries: `add(doc._id, keysOf(doc))` without the list for the usual single key. */
  addDocument(doc: Document): void {
    const scalar = this.#scalarKey(doc);
    if (scalar) this.#addKey(doc._id, scalar);
    else this.add(doc._id, this.keysOf(doc));
  }

  #addKey(id: Document['_id'], key: KeyTuple): void {
    const prefix = prefixKey(key, key.length - 1);
    let bucket = this.#buckets.get(prefix);
    if (!bucket) this.#buckets.set(prefix, (bucket = new SortedEntries()));
    bucket.insert(key[key.length - 1], id);
  }

  #scalarKey(doc: Document): KeyTuple | undefined {
    return this.#topLevel ? scalarKey(doc, this.fields) : undefined;
  }

  remove(id: Document['_id'], keys: readonly KeyTuple[]): void {
    for (const key of keys) {
      const prefix = prefixKey(key, key.length - 1);
      const bucket = this.#buckets.get(prefix);
      if (!bucket) continue;
      bucket.remove(key[key.length - 1], id);
      if (bucket.size === 0) this.#buckets.delete(prefix);
    }
  }

  /** For a unique index, the first of `keys` another document than `id` already holds. */
  conflict(id: Document['_id'], keys: readonly KeyTuple[]): KeyTuple | undefined {
    if (!this.unique) return undefined;
    return keys.find((key) => this.#holders(key).some((holder) => holder !== id));
  }

  /** The entries of one prefix group (the values of the prefix fields, in order). */
  bucket(prefixValues: KeyTuple): SortedEntries | undefined {
    return this.#buckets.get(prefixKey(prefixValues, prefixValues.length));
  }

  describe(key: KeyTuple): Record<string, unknown> {
    return Object.fromEntries(this.fields.map((field, i) => [field, key[i]]));
  }

  #holders(key: KeyTuple): Document['_id'][] {
    const bucket = this.#buckets.get(prefixKey(key, key.length - 1));
    if (!bucket) return [];
    const value = key[key.length - 1];
    const from = bucket.locate((held) => compareValues(held, value) >= 0);
    const to = bucket.locate((held) => compareValues(held, value) > 0);
    return Array.from(bucket.ids(from, to, false));
  }
}

export function sameKeys(a: Readonly<Record<string, 1 | -1>>, b: Readonly<Record<string, 1 | -1>>): boolean {
  const aEntries = Object.entries(a);
  const bEntries = Object.entries(b);
  return (
    aEntries.length === bEntries.length &&
    aEntries.every(([field, direction], i) => bEntries[i]?.[0] === field && bEntries[i]?.[1] === direction)
  );
}

/** Mongo's default index name: `room_1_seq_-1`. */
export function defaultIndexName(keys: Readonly<Record<string, 1 | -1>>): string {
  return Object.entries(keys)
    .map(([field, direction]) => `${field}_${direction}`)
    .join('_');
}

/**
 * The one key of a document whose indexed top-level fields hold no array, as `pathValues`
 * would give it (missing is null); undefined when one is an array. The common case, without
 * the per-field arrays of the general path.
 */
function scalarKey(doc: Document, fields: readonly string[]): KeyTuple | undefined {
  const key = new Array<unknown>(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const value = doc[fields[i] as string];
    if (Array.isArray(value)) return undefined;
    key[i] = value === undefined ? null : value;
  }
  return key;
}

/** Every combination of the fields' values; a field of one value extends the tuples in place (most are). */
function crossProduct(perField: readonly unknown[][]): KeyTuple[] {
  let tuples: unknown[][] = [[]];
  for (const values of perField) {
    if (values.length === 1) {
      for (const tuple of tuples) tuple.push(values[0]);
      continue;
    }
    const next: unknown[][] = [];
    for (const tuple of tuples) for (const value of values) next.push([...tuple, value]);
    tuples = next;
  }
  return tuples;
}

/**
 * The group of the first `count` values: equal for two prefixes when their values compare
 * equal. A prefix of one number (most are an id) is that number, with no string to build
 * and hash on every write; any other is a string (numbers by value, so 1 and 1.0 alike;
 * strings quoted, so that the parts never run into each other), which a number never equals.
 */
function prefixKey(values: KeyTuple, count: number): string | number {
  if (count <= 0) return '';
  const first = values[0];
  if (count === 1 && typeof first === 'number') return first;
  // A bigint is grouped with the number of the same value, as compareValues has them equal.
  if (count === 1 && typeof first === 'bigint' && Number.isSafeInteger(Number(first))) return Number(first);
  let text = encodeValue(values[0]);
  for (let i = 1; i < count; i++) text += '|' + encodeValue(values[i]);
  return text;
}

function encodeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
    case 'bigint':
      return `n${String(value)}`;
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return 'z';
    case 'symbol':
      return 'e';
    default:
      if (value === null) return 'z';
      if (value instanceof Date) return `d${value.getTime()}`;
      if (value instanceof RegExp) return `r${String(value)}`;
      return `o${JSON.stringify(value)}`;
  }
}
