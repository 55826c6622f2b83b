import type Database from 'better-sqlite3';
import { openSqlite } from './open-sqlite.js';
import type {
  BulkWriteOptions,
  Collection,
  DeleteResult,
  Document,
  FencedBatch,
  Filter,
  FindOptions,
  IndexOptions,
  ReadStore,
  Update,
  UpdateOptions,
  UpdateResult,
  WriteOperation,
} from '../ports/read-store.js';
import { fenceHolds } from '../ports/fence.js';
import type { JournaledStore } from '../ports/journaled-store.js';
import { SqliteReadCatalog } from './sqlite-read-catalog.js';
import { SqliteSyncCollection } from './sqlite-read-sync-collection.js';
import { truncateWal } from './truncate-wal.js';

const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/**
 * The persistent embedded read store: every collection in one SQLite file
 * (`<dataDir>/read-models.db`), beside the event log but apart from it, so deleting it means
 * "rebuild from the log".
 *
 * Design (see the files it is made of):
 * - A table per collection, `(_id PRIMARY KEY, doc) WITHOUT ROWID`. `_id` has no column type,
 *   so SQLite keeps the type it is given: `1` and `'1'` are two ids, numbers before strings as
 *   in Mongo. `doc` is the whole document as SQLite's binary JSON (JSONB, SQLite >= 3.45; the
 *   bundled one is 3.53): ~13% smaller than text, and read back as text by `json(doc)` at no
 *   measurable cost on a 50-row page. Documents are JSON data: a Date is stored as its ISO text.
 * - Indexes (sqlite-read-index.ts): SQLite expression indexes over the document; one that meets
 *   an array becomes a multikey side table, as Mongo's indexes become multikey.
 * - Queries (sqlite-read-plan.ts): one SELECT over the primary key or one index, with what that
 *   index answers; mingo tests the full filter on each candidate (sqlite-read-mingo.ts), so
 *   results are Mongo's. Sorting by `_id` (and no sort), or by fields the chosen index orders
 *   after its fixed prefix, streams in index order and stops at the limit; other sorts are
 *   done by mingo over the candidates.
 * - Updates: the document is parsed, changed by mingo's update operators, and written back
 *   when its JSON text changed; the indexes follow (SQLite's own, and the side tables). The
 *   projections' common writes by `_id` skip mingo, the lookup where they can, and the
 *   per-operation savepoint (sqlite-read-write-shape.ts). An index declared on an empty
 *   collection is created when declared again (the runner does once caught up) or at the first
 *   query that needs it: a rebuild fills the table first, and a multikey one's side table is
 *   filled once, in key order, not a document at a time.
 * - better-sqlite3 is synchronous: the async port wraps the synchronous collection, which is
 *   also exposed (`collection(name).sync`) for `transaction`.
 * - Several processes may open one file (several servers on one data directory): each keeps
 *   the catalog in memory, and reads it again whenever SQLite's schema cookie says another
 *   connection changed the file's schema (a collection made or dropped, an index made or
 *   turned multikey: every catalog change is one), checked before each read and at the start
 *   of each transaction (sqlite-read-catalog.ts).
 * - WAL, synchronous=NORMAL: a crash loses no committed transaction's consistency, at most the
 *   last ones, which a restart redoes from the log (read models are derived). Checkpointed
 *   every 10,000 pages (~40 MB of WAL), not SQLite's 1,000.
 */
export class SqliteReadStore implements ReadStore, JournaledStore {
  readonly #db: Database.Database;
  readonly #catalog: SqliteReadCatalog;
  readonly #collections = new Map<string, SqliteReadCollection>();

  constructor(file: string) {
    this.#db = openSqlite(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    // As the log does (sqlite-event-store.ts): a page that many batches rewrite (an index's) is
    // copied to the database once per checkpoint; a rebuild of 200k events writes 15% less.
    this.#db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    // An erased person's texts must not linger in freed pages (README, "Erasure").
    this.#db.pragma('secure_delete = ON');
    // Several processes may share the data directory: a writer waits for another's transaction.
    this.#db.pragma('busy_timeout = 5000');
    this.#catalog = new SqliteReadCatalog(this.#db);
  }

  /** The same instance for a name every time; it stays usable after drop, as in Mongo. */
  collection<T extends Document = Document>(name: string): SqliteReadCollection<T> {
    let collection = this.#collections.get(name);
    if (!collection) this.#collections.set(name, (collection = new SqliteReadCollection(new SqliteSyncCollection(name, this.#catalog))));
    // The store holds plain documents; the caller's T describes them, as with Mongo.
    return collection as unknown as SqliteReadCollection<T>;
  }

  async listCollections(): Promise<string[]> {
    return this.#catalog.names();
  }

  /**
   * Runs `work` in one SQLite transaction, synchronously: the writes it makes through
   * `collection(name).sync` (of any collections) commit together, or, when it throws, none
   * does and the error is rethrown. Inside it, a failed `bulkWrite` undoes the whole group,
   * not only its own failed operation. This is how a projection batch and its checkpoint can
   * commit as one. The async methods must not be used inside `work`: they would run after it.
   */
  transaction<R>(work: () => R): R {
    return this.#catalog.atomic(work);
  }

  /** One transaction, begun IMMEDIATE: the fence is read under the write lock, so no other process moves it meanwhile. */
  async commitFenced({ fences, from, to, writes }: FencedBatch): Promise<boolean> {
    return this.transaction(() => {
      const checkpoints = this.collection(fences).sync;
      if (!fenceHolds(checkpoints.findOne({ _id: to._id }), from)) return false;
      for (const { collection, operations } of writes) this.collection(collection).sync.bulkWrite(operations);
      checkpoints.replaceOne({ _id: to._id }, to, { upsert: true });
      return true;
    });
  }

  /** JournaledStore: the WAL folded in and truncated, after an erasure (README, "Erasure"). */
  truncateJournal(): Promise<boolean> {
    return Promise.resolve(truncateWal(this.#db));
  }

  async close(): Promise<void> {
    this.#collections.clear();
    this.#db.close();
  }
}

/** The port's async collection over the synchronous one. */
export class SqliteReadCollection<T extends Document = Document> implements Collection<T> {
  constructor(readonly sync: SqliteSyncCollection<T>) {}

  get name(): string {
    return this.sync.name;
  }

  async findOne(filter: Filter, options?: FindOptions): Promise<T | null> {
    return this.sync.findOne(filter, options);
  }

  async find(filter: Filter, options?: FindOptions): Promise<T[]> {
    return this.sync.find(filter, options);
  }

  async countDocuments(filter?: Filter): Promise<number> {
    return this.sync.countDocuments(filter);
  }

  async insertOne(document: T): Promise<void> {
    this.sync.insertOne(document);
  }

  async updateOne(filter: Filter, update: Update, options?: UpdateOptions): Promise<UpdateResult> {
    return this.sync.updateOne(filter, update, options);
  }

  async updateMany(filter: Filter, update: Update, options?: UpdateOptions): Promise<UpdateResult> {
    return this.sync.updateMany(filter, update, options);
  }

  async replaceOne(filter: Filter, replacement: T, options?: UpdateOptions): Promise<UpdateResult> {
    return this.sync.replaceOne(filter, replacement, options);
  }

  async deleteOne(filter: Filter): Promise<DeleteResult> {
    return this.sync.deleteOne(filter);
  }

  async deleteMany(filter: Filter): Promise<DeleteResult> {
    return this.sync.deleteMany(filter);
  }

  /** `handOver` changes nothing here: documents are serialised anyway. */
  async bulkWrite(operations: readonly WriteOperation<T>[], _options?: BulkWriteOptions): Promise<void> {
    this.sync.bulkWrite(operations);
  }

  async createIndex(keys: Record<string, 1 | -1>, options?: IndexOptions): Promise<void> {
    this.sync.createIndex(keys, options);
  }

  async drop(): Promise<void> {
    this.sync.drop();
  }
}
