import { SqliteError, type Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import {
  DuplicateKeyError,
  type DeleteResult,
  type DocId,
  type Document,
  type Filter,
  type FindOptions,
  type IndexOptions,
  type SortSpec,
  type Update,
  type UpdateResult,
  type WriteOperation,
} from '../ports/read-store.js';
import { compileFilter } from '../ports/compiled-filter.js';
import { checkUpdate } from '../ports/update-check.js';
import { equalityFields } from '../ports/upsert-seed.js';
import type { CollectionMeta, SqliteReadCatalog } from './sqlite-read-catalog.js';
import {
  arrayOnPathSql,
  expressionIndexName,
  expressionIndexSql,
  indexedFieldsSql,
  indexEntries,
  needsMultikey,
  sideColumn,
  sideTableName,
  sideTableSql,
  valueAt,
  type IndexDefinition,
  type KeyValue,
} from './sqlite-read-index.js';
import { applyUpdate, projectDocuments, seedDocument, sortDocuments } from './sqlite-read-mingo.js';
import { planQuery, type Plan } from './sqlite-read-plan.js';
import { addToSets, meetsConditions, writeShape, type WriteShape } from './sqlite-read-write-shape.js';

/** A document found: its `_id` and a fresh parse of it (the caller's to change). */
interface Found {
  readonly id: DocId;
  readonly doc: Document;
}

/** A stored document as a write reads it: with its JSON text as stored, to tell whether a write changes it. */
interface Row extends Found {
  readonly text: string;
}

interface Selection {
  sort?: SortSpec;
  skip?: number;
  limit?: number;
}

const NOTHING: UpdateResult = Object.freeze({ matchedCount: 0, modifiedCount: 0, upsertedCount: 0 });
const MATCHED: UpdateResult = Object.freeze({ matchedCount: 1, modifiedCount: 0, upsertedCount: 0 });
const MODIFIED: UpdateResult = Object.freeze({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
const UPSERTED: UpdateResult = Object.freeze({ matchedCount: 0, modifiedCount: 0, upsertedCount: 1 });

/** The largest JSON array of candidates a read takes at once (#readAtOnce); a larger answer streams as rows. */
const MAX_ARRAY_BYTES = 64 * 1024 * 1024;

/** Pages of documents read at a time when building a side table from a collection. */
const FILL_PAGE = 1_000;
/** Entries a statement inserts when a deferred index's side table is filled, within SQLite's 32,766 parameters. */
const FILL_ROWS = 200;
const FILL_PARAMETERS = 30_000;

/** The statements of the writes by `_id` (write-shape.ts), per collection: fixed SQL, prepared once. */
interface ByIdStatements {
  readonly upsert: Statement;
  readonly insertAbsent: Statement;
  readonly get: Statement;
  readonly remove: Statement;
}
const byIdStatements = new WeakMap<CollectionMeta, ByIdStatements>();

/**
 * A collection of the SQLite read store, synchronous: what the async port wraps, and what
 * `SqliteReadStore.transaction` groups in one transaction. Every write is atomic (its own
 * transaction, or a savepoint inside the caller's). A document is "modified" when its JSON
 * text changes, as Mongo compares the stored bytes.
 */
export class SqliteSyncCollection<T extends Document = Document> {
  constructor(
    readonly name: string,
    readonly catalog: SqliteReadCatalog,
  ) {}

  findOne(filter: Filter, options: FindOptions = {}): T | null {
    const [first] = this.#find(filter, { sort: options.sort, skip: options.skip, limit: 1 });
    if (!first) return null;
    const [projected] = projectDocuments([first], options.projection);
    return (projected as T | undefined) ?? null;
  }

  find(filter: Filter, options: FindOptions = {}): T[] {
    // The store holds plain documents; the caller's T describes them, as with Mongo.
    return projectDocuments(this.#find(filter, options), options.projection) as T[];
  }

  countDocuments(filter: Filter = {}): number {
    const meta = this.catalog.get(this.name);
    if (!meta) return 0;
    if (Object.keys(filter).length === 0) {
      return (this.catalog.statement(meta, `SELECT count(*) AS n FROM "${meta.table}"`).get() as { n: number }).n;
    }
    return this.#read(meta, filter, {}).length;
  }

  insertOne(document: T): void {
    this.catalog.atomic(() => this.#insert(this.catalog.ensure(this.name), document));
  }

  updateOne(filter: Filter, update: Update, options: { upsert?: boolean } = {}): UpdateResult {
    return this.catalog.atomic(() => this.#update(filter, update, options.upsert ?? false, false));
  }

  updateMany(filter: Filter, update: Update, options: { upsert?: boolean } = {}): UpdateResult {
    return this.catalog.atomic(() => this.#update(filter, update, options.upsert ?? false, true));
  }

  replaceOne(filter: Filter, replacement: T, options: { upsert?: boolean } = {}): UpdateResult {
    return this.catalog.atomic(() => this.#replace(filter, replacement, options.upsert ?? false));
  }

  deleteOne(filter: Filter): DeleteResult {
    return this.catalog.atomic(() => ({ deletedCount: this.#delete(filter, 1) }));
  }

  deleteMany(filter: Filter): DeleteResult {
    return this.catalog.atomic(() => ({ deletedCount: this.#delete(filter, undefined) }));
  }

  /**
   * Applied in order, in one transaction; a failing operation undoes only itself, what came
   * before commits, and the error is thrown after (as an ordered Mongo bulkWrite). Inside
   * `SqliteReadStore.transaction` the error then undoes the whole group. The common shapes
   * by `_id` (sqlite-read-write-shape.ts) are one statement, or one statement followed by
   * writes that cannot fail (entries of a non-unique multikey index): SQLite undoes a failed
   * statement by itself, so they need no savepoint. Every other operation runs in one.
   */
  bulkWrite(operations: readonly WriteOperation<T>[]): void {
    let failure: { error: unknown } | undefined;
    this.catalog.atomic(() => {
      for (const operation of operations) {
        try {
          const shape = writeShape(operation);
          if (!shape || !this.#writeByShape(shape)) this.catalog.atomic(() => this.#write(operation));
        } catch (error) {
          failure = { error };
          return;
        }
      }
    });
    if (failure) throw failure.error;
  }

  createIndex(keys: Record<string, 1 | -1>, options: IndexOptions = {}): void {
    const fields = Object.entries(keys);
    if (fields.length === 0) throw new Error('createIndex needs at least one field');
    const unique = options.unique ?? false;
    this.catalog.atomic(() => {
      const meta = this.catalog.ensure(this.name);
      if (fields.length === 1 && fields[0]?.[0] === '_id') return; // the primary key
      const same = meta.indexes.find((index) => JSON.stringify(index.keys) === JSON.stringify(fields));
      if (same) {
        if (same.unique !== unique) throw new Error(`an index on ${JSON.stringify(keys)} exists with other options`);
        // Declared again once the collection is filled (the runner, after a catch-up): made now, not at the first query.
        this.#createDeferred(meta);
        return;
      }
      const name = options.name ?? fields.map(([field, direction]) => `${field}_${direction}`).join('_');
      const empty = this.catalog.statement(meta, `SELECT 1 FROM "${meta.table}" LIMIT 1`).get() === undefined;
      const index = this.catalog.addIndex(meta, name, fields, unique, empty && !unique);
      if (index.deferred) return;
      if (this.#anyDocument(meta, (doc) => needsMultikey(index, doc))) this.#buildSideTable(meta, index);
      else this.#guard(meta, { _id: '' }, () => this.catalog.statement(meta, expressionIndexSql(meta.table, index)).run());
    });
  }

  drop(): void {
    this.catalog.atomic(() => this.catalog.drop(this.name));
  }

  /**
   * How SQLite finds the candidates of `filter` (for tests and diagnosis): which index the
   * plan walks, whether rows come from SQL in the sort's order (read up to the limit, never
   * sorted in memory), and SQLite's EXPLAIN QUERY PLAN details (`SEARCH c3 USING INDEX c3_x1 (...)`).
   */
  explain(filter: Filter, sort?: SortSpec): { via: string; ordered: boolean; steps: string[] } {
    const meta = this.catalog.get(this.name);
    if (!meta) return { via: 'none', ordered: false, steps: [] };
    this.#createDeferred(meta);
    const plan = planQuery(meta.table, meta.indexes, filter, sort);
    const rows = this.catalog.statement(meta, `EXPLAIN QUERY PLAN ${plan.sql}`).all(...plan.params) as Array<{ detail: string }>;
    return { via: plan.via, ordered: plan.ordered, steps: rows.map((row) => row.detail) };
  }

  #find(filter: Filter, selection: Selection): Document[] {
    const meta = this.catalog.get(this.name);
    return meta ? this.#read(meta, filter, selection) : [];
  }

  /**
   * The rows matching `filter`, sorted, skipped and limited. In `_id` order (asked for, or no
   * sort at all) rows stream from SQLite and reading stops at the limit; any other sort reads
   * every candidate and sorts them with mingo.
   */
  #select(meta: CollectionMeta, filter: Filter, selection: Selection): Row[] {
    this.#createDeferred(meta);
    return this.#selectBy(meta, filter, selection, true) ?? (this.#selectBy(meta, filter, selection, false) as Row[]);
  }

  /** undefined when SQL ordered by an index and a value it cannot order as Mongo does turned up. */
  #selectBy(meta: CollectionMeta, filter: Filter, selection: Selection, pushSort: boolean): Row[] | undefined {
    const plan = planQuery(meta.table, meta.indexes, filter, selection.sort, pushSort);
    const statement = this.catalog.statement(meta, plan.sql);
    // A page of an ordered plan streams and stops at the limit; anything else reads every
    // candidate, which `all` does at about half the cost of iterating (one call, not one a row).
    const page = plan.ordered && selection.limit !== undefined && selection.limit > 0;
    const raws = (page ? statement.iterate(...plan.params) : statement.all(...plan.params)) as Iterable<{ _id: DocId; doc: string }>;
    return selectFrom(plan, filter, rowsOf(raws), selection);
  }

  /** What a read (find, findOne, a count) answers: the documents #select would, without their stored texts. */
  #read(meta: CollectionMeta, filter: Filter, selection: Selection): Document[] {
    this.#createDeferred(meta);
    // One document (findOne) costs less as a row than as an array of one.
    const many = selection.limit === undefined || selection.limit <= 0 || selection.limit > 1;
    return (many ? this.#readAtOnce(meta, filter, selection) : undefined) ?? this.#select(meta, filter, selection).map((row) => row.doc);
  }

  /**
   * The candidates as one JSON array built by SQLite (`group_concat` over the plan, in its
   * order: SQLite keeps a subquery's ORDER BY under an aggregate other than count, min, max),
   * parsed at once: a row each costs better-sqlite3 an object and a string, half the time of a
   * 100-document read. A page of an ordered plan is read with a LIMIT. undefined when #select
   * must answer: SQL ordered by values it cannot order as Mongo does, the filter thinned a full
   * page (more matches may lie past the LIMIT), or the array would exceed MAX_ARRAY_BYTES.
   */
  #readAtOnce(meta: CollectionMeta, filter: Filter, selection: Selection): Document[] | undefined {
    const plan = planQuery(meta.table, meta.indexes, filter, selection.sort);
    const { skip = 0, limit } = selection;
    const page = plan.ordered && limit !== undefined && limit > 0 ? skip + limit : undefined;
    const sql =
      `SELECT CASE WHEN total(octet_length(doc)) <= ${MAX_ARRAY_BYTES} THEN '[' || ifnull(group_concat(doc), '') || ']' END` +
      ` FROM (${plan.sql}${page === undefined ? '' : ' LIMIT ?'})`;
    const statement = this.catalog.statement(meta, sql).pluck();
    let text: string | null;
    try {
      text = (page === undefined ? statement.get(...plan.params) : statement.get(...plan.params, page)) as string | null;
    } catch (error) {
      // SQLite builds the whole array before the CASE can refuse it: past its own limit (1 GB), it refuses instead.
      if (error instanceof SqliteError && error.code === 'SQLITE_TOOBIG') return undefined;
      throw error;
    }
    if (text === null) return undefined;
    const candidates = (JSON.parse(text) as Document[]).map((doc) => ({ id: doc._id, doc }));
    const found = selectFrom(plan, filter, candidates, selection);
    if (!found || (page !== undefined && candidates.length === page && found.length < (limit as number))) return undefined;
    return found.map((each) => each.doc);
  }

  #write(operation: WriteOperation<T>): void {
    if ('insertOne' in operation) this.#insert(this.catalog.ensure(this.name), operation.insertOne.document);
    else if ('updateOne' in operation)
      this.#update(operation.updateOne.filter, operation.updateOne.update, operation.updateOne.upsert ?? false, false);
    else if ('updateMany' in operation)
      this.#update(operation.updateMany.filter, operation.updateMany.update, operation.updateMany.upsert ?? false, true);
    else if ('replaceOne' in operation)
      this.#replace(operation.replaceOne.filter, operation.replaceOne.replacement, operation.replaceOne.upsert ?? false);
    else if ('deleteOne' in operation) this.#delete(operation.deleteOne.filter, 1);
    else this.#delete(operation.deleteMany.filter, undefined);
  }

  /** Applies a write of a common shape without a savepoint; false when it must take the general path instead. */
  #writeByShape(shape: WriteShape): boolean {
    const meta = shape.kind === 'delete' ? this.catalog.get(this.name) : this.catalog.ensure(this.name);
    if (!meta) return true; // nothing to delete
    // A unique multikey index can refuse an entry after the document is written: not one statement.
    if (meta.indexes.some((index) => index.multikey && index.unique)) return false;
    const statements = this.#byId(meta);
    if (shape.kind === 'delete') {
      if (statements.remove.run(shape.id).changes > 0)
        for (const index of meta.indexes) if (index.multikey) this.#removeEntries(meta, index, shape.id);
      return true;
    }
    if (shape.kind === 'replace') {
      const { id, doc } = shape;
      if (this.#needsConversion(meta, doc)) return false;
      // Computed first: a document with parallel arrays is refused before anything is written.
      const entries = meta.indexes.filter((index) => index.multikey).map((index) => [index, indexEntries(index, doc)] as const);
      const text = JSON.stringify(doc);
      this.#guard(meta, doc, () => statements.upsert.run(id, text));
      for (const [index, list] of entries) {
        this.#removeEntries(meta, index, id);
        this.#insertEntries(meta, index, list);
      }
      return true;
    }
    const { id, conditions, set, onInsert, addToSet, upsert } = shape;
    if (!set && !addToSet && upsert && conditions.length === 0) {
      // $setOnInsert alone: the document is made when absent, else left as it is; one statement, no read.
      const doc = { _id: id, ...onInsert } as Document;
      if (this.#needsConversion(meta, doc)) return false;
      const text = JSON.stringify(doc);
      let inserted = false;
      this.#guard(meta, doc, () => (inserted = statements.insertAbsent.run(id, text).changes > 0));
      if (inserted) for (const index of meta.indexes) if (index.multikey) this.#addEntries(meta, index, doc);
      return true;
    }
    const row = statements.get.get(id) as { doc: string } | undefined;
    if (!row) {
      if (!upsert) return true;
      if (conditions.length > 0) return false; // the upsert would seed from them: the general path's work
      const doc = { _id: id, ...set, ...onInsert } as Document;
      if (addToSet) addToSets(doc, addToSet);
      if (this.#needsConversion(meta, doc)) return false;
      this.#insert(meta, doc);
      return true;
    }
    if (!set && !addToSet) return true; // $setOnInsert alone, and the document exists
    const doc = JSON.parse(row.doc) as Document;
    if (conditions.length > 0) {
      const met = meetsConditions(doc, conditions);
      if (met === undefined) return false;
      if (!met) return true;
    }
    if (addToSet && !addToSets(doc, addToSet)) return false;
    for (const field in set) doc[field] = set[field];
    if (this.#needsConversion(meta, doc)) return false;
    this.#rewrite(meta, { id, text: row.doc, doc }, doc);
    return true;
  }

  #byId(meta: CollectionMeta): ByIdStatements {
    let statements = byIdStatements.get(meta);
    if (!statements) {
      const table = `"${meta.table}"`;
      statements = {
        upsert: this.catalog.statement(
          meta,
          `INSERT INTO ${table} (_id, doc) VALUES (?, jsonb(?)) ON CONFLICT(_id) DO UPDATE SET doc = excluded.doc`,
        ),
        insertAbsent: this.catalog.statement(meta, `INSERT INTO ${table} (_id, doc) VALUES (?, jsonb(?)) ON CONFLICT(_id) DO NOTHING`),
        get: this.catalog.statement(meta, `SELECT json(doc) AS doc FROM ${table} WHERE _id = ?`),
        remove: this.catalog.statement(meta, `DELETE FROM ${table} WHERE _id = ?`),
      };
      byIdStatements.set(meta, statements);
    }
    return statements;
  }

  /**
   * Whether writing `doc` would turn an expression index multikey, or may hold parallel arrays
   * for a deferred compound one (#keepIndexable): work for the general path.
   */
  #needsConversion(meta: CollectionMeta, doc: Document): boolean {
    return meta.indexes.some((index) =>
      index.deferred ? hasCompoundKeys(index) && needsMultikey(index, doc) : !index.multikey && needsMultikey(index, doc),
    );
  }

  #update(filter: Filter, update: Update, upsert: boolean, many: boolean): UpdateResult {
    checkUpdate(update); // Mongo rejects a malformed update even when nothing matches
    const meta = this.catalog.get(this.name);
    const rows = meta ? this.#select(meta, filter, many ? {} : { limit: 1 }) : [];
    if (rows.length === 0) {
      if (!upsert) return NOTHING;
      const created = seedDocument(equalityFields(filter));
      applyUpdate(created, update, true);
      this.#insert(this.catalog.ensure(this.name), created._id === undefined ? { ...created, _id: randomUUID() } : created);
      return UPSERTED;
    }
    let modified = 0;
    for (const row of rows) {
      applyUpdate(row.doc, update, false);
      if (row.doc._id !== row.id) throw immutableId();
      if (this.#rewrite(meta as CollectionMeta, row, row.doc)) modified++;
    }
    return many ? { matchedCount: rows.length, modifiedCount: modified, upsertedCount: 0 } : modified ? MODIFIED : MATCHED;
  }

  #replace(filter: Filter, replacement: T, upsert: boolean): UpdateResult {
    const meta = this.catalog.get(this.name);
    const [row] = meta ? this.#select(meta, filter, { limit: 1 }) : [];
    if (!row) {
      if (!upsert) return NOTHING;
      const id = replacement._id ?? equalityFields(filter).find(([path]) => path === '_id')?.[1] ?? randomUUID();
      this.#insert(this.catalog.ensure(this.name), replacement._id === undefined ? { ...replacement, _id: id } : replacement);
      return UPSERTED;
    }
    if (replacement._id !== undefined && replacement._id !== row.id) throw immutableId();
    const next = replacement._id === undefined ? { ...replacement, _id: row.id } : replacement;
    return this.#rewrite(meta as CollectionMeta, row, next) ? MODIFIED : MATCHED;
  }

  #delete(filter: Filter, limit: number | undefined): number {
    const meta = this.catalog.get(this.name);
    if (!meta) return 0;
    const rows = this.#select(meta, filter, { limit });
    const remove = this.catalog.statement(meta, `DELETE FROM "${meta.table}" WHERE _id = ?`);
    for (const row of rows) {
      remove.run(row.id);
      for (const index of meta.indexes) if (index.multikey) this.#removeEntries(meta, index, row.id);
    }
    return rows.length;
  }

  #insert(meta: CollectionMeta, doc: Document): void {
    checkId(doc._id);
    const text = JSON.stringify(doc);
    this.#keepIndexable(meta, doc);
    this.#guard(meta, doc, () =>
      this.catalog.statement(meta, `INSERT INTO "${meta.table}" (_id, doc) VALUES (?, jsonb(?))`).run(doc._id, text),
    );
    for (const index of meta.indexes) if (index.multikey) this.#addEntries(meta, index, doc);
  }

  /** Stores `next` in the place of `row`; false when its JSON text is the same (nothing modified). */
  #rewrite(meta: CollectionMeta, row: Row, next: Document): boolean {
    const text = JSON.stringify(next);
    if (text === row.text) return false;
    this.#keepIndexable(meta, next);
    this.#guard(meta, next, () =>
      this.catalog.statement(meta, `UPDATE "${meta.table}" SET doc = jsonb(?) WHERE _id = ?`).run(text, row.id),
    );
    const multikey = meta.indexes.filter((index) => index.multikey);
    if (multikey.length === 0) return true;
    const before = JSON.parse(row.text) as Document;
    for (const index of multikey) {
      if (JSON.stringify(indexEntries(index, before)) === JSON.stringify(indexEntries(index, next))) continue;
      this.#removeEntries(meta, index, row.id);
      this.#addEntries(meta, index, next);
    }
    return true;
  }

  /**
   * Creates the deferred indexes (see IndexDefinition) before any query plans over them: the
   * expression form, or the multikey form when some document holds an array on the index's
   * path, its side table filled in key order at once.
   */
  #createDeferred(meta: CollectionMeta): void {
    if (!meta.indexes.some((index) => index.deferred)) return;
    this.catalog.atomic(() => {
      for (const index of meta.indexes) {
        if (!index.deferred) continue;
        if (this.catalog.statement(meta, arrayOnPathSql(meta.table, index)).get() === undefined)
          this.catalog.statement(meta, expressionIndexSql(meta.table, index)).run();
        else this.#fillSideTable(meta, index);
        index.deferred = false;
      }
    });
  }

  /**
   * Turns each expression index that cannot hold `doc` (an array on its path) into a multikey
   * one, as Mongo would. A deferred one stays deferred (its form is chosen when it is made);
   * only a document it could never hold (parallel arrays) is refused now, as Mongo would.
   */
  #keepIndexable(meta: CollectionMeta, doc: Document): void {
    for (const index of meta.indexes) {
      if (index.multikey || !needsMultikey(index, doc)) continue;
      if (index.deferred) {
        indexEntries(index, doc);
        continue;
      }
      this.#buildSideTable(meta, index);
      this.catalog.statement(meta, `DROP INDEX IF EXISTS "${expressionIndexName(meta.table, index)}"`).run();
    }
  }

  /** A deferred index's side table, from every document: entries sorted once and inserted in key order, not one document at a time. */
  #fillSideTable(meta: CollectionMeta, index: IndexDefinition): void {
    // The table first, its other indexes once it is full: each sorted once, not kept per entry.
    const [table, ...indexes] = sideTableSql(meta.table, index);
    this.catalog.statement(meta, table as string).run();
    this.catalog.setMultikey(meta, index);
    const entries: KeyValue[][] = [];
    const { sql, heads } = indexedFieldsSql(meta.table, index);
    const rows = this.catalog.statement(meta, sql).raw(true).all() as Array<[DocId, ...Array<string | null>]>;
    for (const [_id, ...values] of rows) {
      // The fields the index reads, as the document holds them (a missing one stays missing).
      const doc: Document = { _id };
      heads.forEach((head, i) => {
        const value = values[i];
        if (value !== null && value !== undefined) doc[head] = JSON.parse(value);
      });
      for (const entry of indexEntries(index, doc)) entries.push(entry);
    }
    const directions = sideTableOrder(index);
    entries.sort((a, b) => compareEntries(a, b, directions));
    // Many rows a statement: one call per entry is most of the cost of rows this small.
    const { insert, row } = sideTableSqlOf(meta, index);
    const perStatement = Math.max(1, Math.min(FILL_ROWS, Math.floor(FILL_PARAMETERS / (entries[0]?.length ?? 1))));
    const many = this.catalog.statement(meta, `${insert}${`, ${row}`.repeat(perStatement - 1)}`);
    let at = 0;
    for (; at + perStatement <= entries.length; at += perStatement) many.run(entries.slice(at, at + perStatement).flat());
    this.#insertEntries(meta, index, entries.slice(at));
    for (const sql of indexes) this.catalog.statement(meta, sql).run();
  }

  #buildSideTable(meta: CollectionMeta, index: IndexDefinition): void {
    for (const sql of sideTableSql(meta.table, index)) this.catalog.statement(meta, sql).run();
    this.catalog.setMultikey(meta, index);
    this.#anyDocument(meta, (doc) => {
      this.#addEntries(meta, index, doc);
      return false;
    });
  }

  /** Whether `test` holds for some document, reading the collection a page at a time (`test` may write). */
  #anyDocument(meta: CollectionMeta, test: (doc: Document) => boolean): boolean {
    const first = this.catalog.statement(meta, `SELECT _id, json(doc) AS doc FROM "${meta.table}" ORDER BY _id LIMIT ${FILL_PAGE}`);
    const next = this.catalog.statement(
      meta,
      `SELECT _id, json(doc) AS doc FROM "${meta.table}" WHERE _id > ? ORDER BY _id LIMIT ${FILL_PAGE}`,
    );
    let page = first.all() as Array<{ _id: DocId; doc: string }>;
    while (page.length > 0) {
      for (const raw of page) if (test(JSON.parse(raw.doc) as Document)) return true;
      page = next.all((page[page.length - 1] as { _id: DocId })._id) as Array<{ _id: DocId; doc: string }>;
    }
    return false;
  }

  #addEntries(meta: CollectionMeta, index: IndexDefinition, doc: Document): void {
    this.#guard(meta, doc, () => this.#insertEntries(meta, index, indexEntries(index, doc)));
  }

  #insertEntries(meta: CollectionMeta, index: IndexDefinition, entries: readonly KeyValue[][]): void {
    const insert = this.catalog.statement(meta, sideTableSqlOf(meta, index).insert);
    for (const entry of entries) insert.run(...entry);
  }

  #removeEntries(meta: CollectionMeta, index: IndexDefinition, id: DocId): void {
    this.catalog.statement(meta, sideTableSqlOf(meta, index).remove).run(id);
  }

  /** Runs a write, turning SQLite's unique constraint failures into the port's DuplicateKeyError. */
  #guard(meta: CollectionMeta, doc: Document, write: () => unknown): void {
    try {
      write();
    } catch (error) {
      if (!(error instanceof SqliteError) || !error.code.startsWith('SQLITE_CONSTRAINT')) throw error;
      const index = meta.indexes.find(
        (each) => error.message.includes(expressionIndexName(meta.table, each)) || error.message.includes(sideTableName(meta.table, each)),
      );
      if (!index) throw new DuplicateKeyError(this.name, { _id: doc._id });
      throw new DuplicateKeyError(this.name, Object.fromEntries(index.keys.map(([field]) => [field, valueAt(doc, field) ?? null])));
    }
  }
}

/** The SQL of a side table's writes, made once per index (a rebuild writes its entries by the hundred thousand). */
const sideTableWrites = new WeakMap<IndexDefinition, { insert: string; row: string; remove: string }>();

function sideTableSqlOf(meta: CollectionMeta, index: IndexDefinition): { insert: string; row: string; remove: string } {
  let sql = sideTableWrites.get(index);
  if (!sql) {
    const table = sideTableName(meta.table, index);
    const columns = index.keys.map((_, position) => sideColumn(index, position));
    if (!columns.includes('_id')) columns.push('_id');
    const row = `(${columns.map(() => '?').join(', ')})`;
    sql = {
      insert: `INSERT INTO "${table}" (${columns.join(', ')}) VALUES ${row}`,
      row,
      remove: `DELETE FROM "${table}" WHERE _id = ?`,
    };
    sideTableWrites.set(index, sql);
  }
  return sql;
}

/**
 * The candidates of `plan` (in its order) that match `filter`, sorted, skipped and limited as
 * `selection` asks; undefined when SQL ordered by an index and a value it cannot order as Mongo
 * does turned up. A plan in the order asked for stops at the limit; any other sort is mingo's,
 * over every match.
 */
function selectFrom<F extends Found>(
  plan: Plan,
  filter: Filter,
  candidates: Iterable<F>,
  { sort, skip = 0, limit }: Selection,
): F[] | undefined {
  const query = plan.exact ? undefined : compileFilter(filter);
  const seen = plan.repeats ? new Set<DocId>() : undefined;
  const wanted = limit !== undefined && limit > 0 ? limit : Infinity;
  const found: F[] = [];
  let toSkip = plan.ordered ? skip : 0;
  for (const candidate of candidates) {
    if (seen) {
      if (seen.has(candidate.id)) continue;
      seen.add(candidate.id);
    }
    const { doc } = candidate;
    if (query && !query.test(doc)) continue;
    if (plan.sortedBy.length > 0 && !plan.sortedBy.every((path) => isOrderedAsKey(valueAt(doc, path)))) return undefined;
    if (toSkip > 0) {
      toSkip--;
      continue;
    }
    found.push(candidate);
    if (plan.ordered && found.length >= wanted) break;
  }
  if (plan.ordered || !sort) return found;
  const byDoc = new Map(found.map((each) => [each.doc, each]));
  return sortDocuments(
    found.map((each) => each.doc),
    sort,
    skip,
    limit,
  ).map((doc) => byDoc.get(doc) as F);
}

/** Rows as SQLite gives them, each parsed when reached. */
function* rowsOf(raws: Iterable<{ _id: DocId; doc: string }>): Iterable<Row> {
  for (const raw of raws) yield { id: raw._id, text: raw.doc, doc: JSON.parse(raw.doc) as Document };
}

/** Whether an index has two fields or more besides `_id`: only such can meet parallel arrays. */
function hasCompoundKeys(index: IndexDefinition): boolean {
  return index.keys.filter(([field]) => field !== '_id').length > 1;
}

/** The direction of each column of a side table's entries, `_id` last when the keys do not name it (sideTableSql's primary key). */
function sideTableOrder(index: IndexDefinition): Array<1 | -1> {
  const directions = index.keys.map(([, direction]) => direction);
  return index.keys.some(([field]) => field === '_id') ? directions : [...directions, 1];
}

/** Two entries in SQLite's order of the side table's primary key: numbers before strings, each column in its direction. */
function compareEntries(a: readonly KeyValue[], b: readonly KeyValue[], directions: ReadonlyArray<1 | -1>): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as KeyValue;
    const y = b[i] as KeyValue;
    if (x === y) continue;
    const order = typeof x === typeof y ? (x < y ? -1 : 1) : typeof x === 'number' ? -1 : 1;
    return order * (directions[i] ?? 1);
  }
  return 0;
}

/** A value whose index key orders as Mongo orders it (null and missing first, numbers, strings). */
function isOrderedAsKey(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'number' || typeof value === 'string';
}

function checkId(id: unknown): void {
  if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) return;
  throw new TypeError(`_id must be a string or a number, not ${JSON.stringify(id)}`);
}

function immutableId(): Error {
  return new Error("Performing an update on the path '_id' would modify the immutable field '_id'");
}
