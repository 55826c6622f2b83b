import { randomUUID } from 'node:crypto';
import { isPlainObject } from '../ports/plain-object.js';
import { copyPlain, plainEqual } from './memory-copy.js';
import { compileFilter } from '../ports/compiled-filter.js';
import { project } from './memory-projection.js';
import { MemoryIndex, defaultIndexName, sameKeys, type KeyTuple } from './memory-index.js';
import { planQuery } from './memory-plan.js';
import { sortDocuments } from './memory-sort.js';
import { applyUpdate } from './memory-update.js';
import { checkUpdate } from '../ports/update-check.js';
import {
  DuplicateKeyError,
  type Collection,
  type DeleteResult,
  type DocId,
  type Document,
  type Filter,
  type FindOptions,
  type IndexOptions,
  type SortSpec,
  type Update,
  type UpdateOptions,
  type UpdateResult,
  type WriteOperation,
  type BulkWriteOptions,
} from '../ports/read-store.js';
import { equalityFields } from '../ports/upsert-seed.js';

export interface MemoryCollectionStats {
  /** Documents stored. */
  documents: number;
  /** Names of the secondary indexes (the `_id` lookup is always there and not listed). */
  indexes: string[];
  /**
   * For tests: how many stored documents the last operation with a filter took as
   * candidates and tested against it (0 for a count without filter). An indexed lookup
   * tests the documents its index entries point to, a scan tests every document.
   */
  lastScanned: number;
}

interface Selection {
  sort?: SortSpec;
  skip?: number;
  limit?: number;
}

type Stored = Record<string, unknown>;

const NOTHING: UpdateResult = Object.freeze({ matchedCount: 0, modifiedCount: 0, upsertedCount: 0 });
const MATCHED: UpdateResult = Object.freeze({ matchedCount: 1, modifiedCount: 0, upsertedCount: 0 });
const MODIFIED: UpdateResult = Object.freeze({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
const UPSERTED: UpdateResult = Object.freeze({ matchedCount: 0, modifiedCount: 0, upsertedCount: 1 });

/**
 * A collection of the memory read store. Documents live in a Map by `_id`; a stored
 * document is never mutated (updates build a copy sharing the unchanged parts), and
 * callers only ever see copies. Every method does its work synchronously: each operation
 * is atomic, and a failed one (duplicate key, bad update) leaves the collection unchanged.
 */
export class MemoryCollection<T extends Document = Document> implements Collection<T> {
  readonly #docs = new Map<DocId, Document>();
  readonly #indexes: MemoryIndex[] = [];
  #lastScanned = 0;
  #exists = false;
  /** While a `writeUndoably` runs: how to undo each change made so far, in order. */
  #journal: Array<() => void> | null = null;

  constructor(readonly name: string) {}

  /** Like a Mongo collection: exists from the first insert or index until dropped. */
  get exists(): boolean {
    return this.#exists;
  }

  stats(): MemoryCollectionStats {
    return {
      documents: this.#docs.size,
      indexes: this.#indexes.map((index) => index.name),
      lastScanned: this.#lastScanned,
    };
  }

  async findOne(filter: Filter, options: FindOptions = {}): Promise<T | null> {
    const found = this.#select(filter, { sort: options.sort, skip: options.skip, limit: 1 });
    const [first] = project(found, options.projection);
    return (first as T | undefined) ?? null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    return project(this.#select(filter, options), options.projection) as T[];
  }

  async countDocuments(filter: Filter = {}): Promise<number> {
    if (Object.keys(filter).length > 0) return this.#select(filter, {}).length;
    this.#lastScanned = 0;
    return this.#docs.size;
  }

  async insertOne(document: T): Promise<void> {
    this.#insert(document);
  }

  async updateOne(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<UpdateResult> {
    return { ...this.#updateOne(filter, update, options.upsert ?? false) };
  }

  async updateMany(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<UpdateResult> {
    return this.#updateMany(filter, update, options.upsert ?? false);
  }

  async replaceOne(filter: Filter, replacement: T, options: UpdateOptions = {}): Promise<UpdateResult> {
    return { ...this.#replaceOne(filter, replacement, options.upsert ?? false) };
  }

  async deleteOne(filter: Filter): Promise<DeleteResult> {
    return { deletedCount: this.#delete(filter, 1) };
  }

  async deleteMany(filter: Filter): Promise<DeleteResult> {
    return { deletedCount: this.#delete(filter) };
  }

  async bulkWrite(operations: readonly WriteOperation<T>[], options: BulkWriteOptions = {}): Promise<void> {
    const handOver = options.handOver ?? false;
    for (const operation of operations) this.#write(operation, handOver);
  }

  /** The stored document with `id`, synchronously and uncopied: the caller only reads it. */
  peek(id: DocId): Readonly<Document> | null {
    return this.#docs.get(id) ?? null;
  }

  /**
   * Applies `operations` in order and returns what undoes them all; when one fails, undoes
   * those before it and throws. This is how the store commits a fenced batch of several
   * collections all or nothing (MemoryReadStore.commitFenced).
   */
  writeUndoably(operations: readonly WriteOperation<T>[], handOver = false): () => void {
    const journal: Array<() => void> = [];
    const undo = () => {
      for (const step of journal.reverse()) step();
    };
    this.#journal = journal;
    try {
      for (const operation of operations) this.#write(operation, handOver);
    } catch (error) {
      this.#journal = null;
      undo();
      throw error;
    } finally {
      this.#journal = null;
    }
    return undo;
  }

  async createIndex(keys: Record<string, 1 | -1>, options: IndexOptions = {}): Promise<void> {
    const fields = Object.keys(keys);
    if (fields.length === 0) throw new Error('createIndex needs at least one field');
    if (fields.length > 1 || fields[0] !== '_id') this.#addIndex(keys, options);
    this.#exists = true;
  }

  async drop(): Promise<void> {
    this.#docs.clear();
    this.#indexes.length = 0;
    this.#lastScanned = 0;
    this.#exists = false;
  }

  /** `handOver`: the documents written are the store's to keep, uncopied (BulkWriteOptions). */
  #write(operation: WriteOperation<T>, handOver: boolean): void {
    if ('updateOne' in operation) {
      const { filter, update, upsert } = operation.updateOne;
      this.#updateOne(filter, update, upsert ?? false);
    } else if ('insertOne' in operation) {
      this.#insert(operation.insertOne.document, handOver);
    } else if ('updateMany' in operation) {
      const { filter, update, upsert } = operation.updateMany;
      this.#updateMany(filter, update, upsert ?? false);
    } else if ('replaceOne' in operation) {
      const { filter, replacement, upsert } = operation.replaceOne;
      this.#replaceOne(filter, replacement, upsert ?? false, handOver);
    } else if ('deleteOne' in operation) {
      this.#delete(operation.deleteOne.filter, 1);
    } else {
      this.#delete(operation.deleteMany.filter);
    }
  }

  /** The stored documents matching `filter`, in order, skipped and limited. */
  #select(filter: Filter, { sort, skip = 0, limit }: Selection): Document[] {
    const id = idOf(filter);
    if (id !== undefined) {
      const doc = this.#byId(id, filter);
      return doc && skip === 0 ? [doc] : [];
    }
    const ids = soleIdIn(filter);
    if (ids !== undefined) return this.#selectIds(ids, { sort, skip, limit });
    const plan = planQuery(filter, sort, this.#docs, this.#indexes);
    const query = compileFilter(filter);
    const wanted = limit ? skip + Math.abs(limit) : Infinity;
    // Candidates in the requested order can stop at the last document wanted.
    const enough = plan.ordered ? wanted : Infinity;
    const matches: Document[] = [];
    let scanned = 0;
    for (const doc of plan.candidates) {
      scanned++;
      if (query.test(doc) && matches.push(doc) >= enough) break;
    }
    this.#lastScanned = scanned;
    const ordered = plan.ordered ? matches : sortDocuments(matches, sort ?? {});
    return skip > 0 || wanted < ordered.length ? ordered.slice(skip, wanted) : ordered;
  }

  /**
   * The fast lane for a filter on one `_id` (`{ _id: value, ...}`): the one candidate, no
   * planning, and no filter to test at all for exactly `{ _id: value }`, the hot path of
   * projections.
   */
  #byId(id: DocId, filter: Filter): Document | undefined {
    const doc = this.#docs.get(id);
    this.#lastScanned = doc ? 1 : 0;
    return doc && (isSoleKey(filter, '_id') || compileFilter(filter).test(doc)) ? doc : undefined;
  }

  /** The first match of `filter` in natural order, without the array of a selection. */
  #first(filter: Filter): Document | undefined {
    const id = idOf(filter);
    return id === undefined ? this.#select(filter, { limit: 1 })[0] : this.#byId(id, filter);
  }

  /**
   * The fast lane for `{ _id: { $in: [...] } }` (a batch of documents by id): the documents
   * found are exactly the matches, so mingo's `$in`, which is quadratic, is not run on them.
   */
  #selectIds(ids: ReadonlySet<DocId>, { sort, skip = 0, limit }: Selection): Document[] {
    const found: Document[] = [];
    for (const id of ids) {
      const doc = this.#docs.get(id);
      if (doc) found.push(doc);
    }
    this.#lastScanned = found.length;
    const ordered = sort && found.length > 1 ? sortDocuments(found, sort) : found;
    const wanted = limit ? skip + Math.abs(limit) : Infinity;
    return skip > 0 || wanted < ordered.length ? ordered.slice(skip, wanted) : ordered;
  }

  #insert(document: T, handOver = false): void {
    this.#store(withId(handOver ? document : copyPlain<Stored>(document)));
  }

  #updateOne(filter: Filter, update: Update, upsert: boolean): UpdateResult {
    const target = this.#first(filter);
    if (target) {
      const next = updated(target, update);
      if (!next) return MATCHED;
      this.#replace(target, next);
      return MODIFIED;
    }
    if (!upsert) {
      checkUpdate(update); // Mongo rejects a malformed update even when nothing matches
      return NOTHING;
    }
    this.#upsert(filter, update);
    return UPSERTED;
  }

  /** All or nothing: a failure on one document undoes the ones already updated. */
  #updateMany(filter: Filter, update: Update, upsert: boolean): UpdateResult {
    checkUpdate(update);
    const targets = this.#select(filter, {});
    if (targets.length === 0) {
      if (!upsert) return { ...NOTHING };
      this.#upsert(filter, update);
      return { ...UPSERTED };
    }
    const done: Array<[before: Document, after: Document]> = [];
    try {
      for (const target of targets) {
        const next = updated(target, update);
        if (!next) continue;
        this.#replace(target, next);
        done.push([target, next]);
      }
    } catch (error) {
      for (const [before, after] of done.reverse()) this.#replace(after, before);
      throw error;
    }
    return { matchedCount: targets.length, modifiedCount: done.length, upsertedCount: 0 };
  }

  #replaceOne(filter: Filter, replacement: T, upsert: boolean, handOver = false): UpdateResult {
    for (const field in replacement) {
      if (field.startsWith('$')) throw new Error('replacement document must not contain update operators');
    }
    const target = this.#first(filter);
    if (target) {
      if (replacement._id !== undefined && replacement._id !== target._id) throw immutableId();
      const next: Stored = handOver ? replacement : copyPlain<Stored>(replacement);
      next._id = target._id;
      if (plainEqual(target, next)) return MATCHED;
      this.#replace(target, withId(next));
      return MODIFIED;
    }
    if (!upsert) return NOTHING;
    const created: Stored = handOver ? replacement : copyPlain<Stored>(replacement);
    created._id ??= equalityFields(filter).find(([path]) => path === '_id')?.[1];
    this.#store(withId(created), isSoleKey(filter, '_id') ? idOf(filter) : undefined);
    return UPSERTED;
  }

  #upsert(filter: Filter, update: Update): void {
    const seed: Stored = {};
    const id = isSoleKey(filter, '_id') ? idOf(filter) : undefined;
    if (id !== undefined)
      seed._id = id; // what equalityFields would find, without its arrays
    else for (const [path, value] of equalityFields(filter)) setPath(seed, path, copyPlain(value));
    const created = applyUpdate(seed as Document, update, true) ?? seed;
    this.#store(withId(created), id);
  }

  /**
   * Adds a new document, after checking `_id` and the unique indexes. `absent`: an `_id` the
   * caller has just looked up by `{ _id }` alone and not found, not looked up again.
   */
  #store(doc: Document, absent?: DocId): void {
    if (doc._id !== absent && this.#docs.has(doc._id)) throw new DuplicateKeyError(this.name, { _id: doc._id });
    if (this.#indexes.length > 0) this.#indexNew(doc);
    this.#docs.set(doc._id, doc);
    this.#exists = true;
    this.#journal?.push(() => this.#remove(doc));
  }

  /** Checks the unique indexes before adding to any: a refused document leaves no entry. */
  #indexNew(doc: Document): void {
    for (const index of this.#indexes) if (index.unique) this.#checkUnique(index, doc._id, index.keysOf(doc));
    for (const index of this.#indexes) index.addDocument(doc);
  }

  /** Puts `after` in the place of `before` (same `_id`), re-keying the indexes it affects. */
  #replace(before: Document, after: Document): void {
    if (this.#indexes.length > 0) this.#reindex(before, after);
    this.#docs.set(after._id, after);
    this.#journal?.push(() => this.#replace(after, before));
  }

  /** Checks every affected unique index before changing any index. */
  #reindex(before: Document, after: Document): void {
    const changes: Array<[index: MemoryIndex, removed: KeyTuple[], added: KeyTuple[]]> = [];
    for (const index of this.#indexes) {
      if (index.unchanged(before, after)) continue;
      const added = index.keysOf(after);
      this.#checkUnique(index, after._id, added);
      changes.push([index, index.keysOf(before), added]);
    }
    for (const [index, removed, added] of changes) {
      index.remove(before._id, removed);
      index.add(after._id, added);
    }
  }

  /** Deletes the matches (up to `limit`); returns how many. */
  #delete(filter: Filter, limit?: number): number {
    const targets = this.#select(filter, { limit });
    for (const target of targets) this.#remove(target);
    return targets.length;
  }

  #remove(doc: Document): void {
    for (const index of this.#indexes) index.remove(doc._id, index.keysOf(doc));
    this.#docs.delete(doc._id);
    this.#journal?.push(() => this.#store(doc));
  }

  #checkUnique(index: MemoryIndex, id: DocId, keys: readonly KeyTuple[]): void {
    const taken = index.conflict(id, keys);
    if (taken) throw new DuplicateKeyError(this.name, index.describe(taken));
  }

  #addIndex(keys: Record<string, 1 | -1>, options: IndexOptions): void {
    const name = options.name ?? defaultIndexName(keys);
    const unique = options.unique ?? false;
    const existing = this.#indexes.find((index) => index.name === name || sameKeys(index.keys, keys));
    if (existing?.name === name && sameKeys(existing.keys, keys) && existing.unique === unique) return;
    if (existing) throw new Error(`index ${name} conflicts with the existing index ${existing.name}`);
    // Built aside and registered once complete: a duplicate in the data leaves no index.
    const index = new MemoryIndex(name, { ...keys }, unique);
    for (const doc of this.#docs.values()) {
      const docKeys = index.keysOf(doc);
      this.#checkUnique(index, doc._id, docKeys);
      index.add(doc._id, docKeys);
    }
    this.#indexes.push(index);
  }
}

/** The `_id` a filter names by equality (`{ _id: value, ... }`): no other document can match. */
function idOf(filter: Filter): DocId | undefined {
  const id = filter._id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

function isSoleKey(filter: Filter, only: string): boolean {
  for (const key in filter) if (key !== only) return false;
  return true;
}

/** The distinct `_id`s of a filter that is exactly `{ _id: { $in: [...] } }` of strings and numbers. */
function soleIdIn(filter: Filter): Set<DocId> | undefined {
  const condition = filter._id;
  if (!isPlainObject(condition) || !isSoleKey(filter, '_id') || !isSoleKey(condition, '$in')) return undefined;
  const values = condition.$in;
  if (!Array.isArray(values)) return undefined;
  const ids = new Set<DocId>();
  for (const value of values) {
    if (typeof value !== 'string' && typeof value !== 'number') return undefined;
    ids.add(value);
  }
  return ids;
}

/** `doc` updated, or undefined when the update changes nothing. */
function updated(doc: Document, update: Update): Document | undefined {
  const next = applyUpdate(doc, update, false);
  if (next && next._id !== doc._id) throw immutableId();
  return next;
}

function immutableId(): Error {
  return new Error("Performing an update on the path '_id' would modify the immutable field '_id'");
}

/** The document with an `_id` (a random UUID when it has none) as its first field, as in Mongo. */
function withId(doc: Stored): Document {
  const id = doc._id === undefined ? randomUUID() : doc._id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new TypeError(`_id must be a string or a number, not ${typeof id}`);
  if (firstKey(doc) === '_id') return doc as Document;
  const { _id: _ignored, ...fields } = doc;
  return { _id: id, ...fields };
}

function firstKey(doc: Stored): string | undefined {
  for (const key in doc) return key;
  return undefined;
}

/** Sets a dot path in a document under construction, creating the objects on the way. */
function setPath(doc: Stored, path: string, value: unknown): void {
  const segments = path.split('.');
  let parent = doc;
  for (const segment of segments.slice(0, -1)) {
    const child = parent[segment];
    parent = typeof child === 'object' && child !== null ? (child as Stored) : (parent[segment] = {});
  }
  parent[segments[segments.length - 1] as string] = value;
}
