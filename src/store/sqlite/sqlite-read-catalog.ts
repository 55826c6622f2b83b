import type { Database, Statement } from 'better-sqlite3';
import { expressionIndexName, sideTableName, type IndexDefinition } from './sqlite-read-index.js';

/** A collection that exists: its table (`c<id>`), its indexes, and its prepared statements. */
export interface CollectionMeta {
  readonly id: number;
  readonly name: string;
  readonly table: string;
  readonly indexes: IndexDefinition[];
  /** By SQL text: a statement shape is prepared once per collection. */
  readonly statements: Map<string, Statement>;
}

/**
 * What collections and indexes the read models file holds, kept in two tables of the file
 * itself (so they persist, and roll back with the transaction that changed them) and mirrored
 * in memory, where every operation reads them. Tables are named by id (`c7`, `c7_x3`), never
 * by the collection's name, so any name is safe and a dropped name can come back.
 *
 * Every write runs in `atomic`: its own transaction, or a savepoint inside an enclosing one.
 * A failed one rolls back, and the mirror is reloaded from the file, so it never shows a
 * table or an index the rollback removed.
 *
 * Other processes may change the file's catalog (servers sharing a data directory): every
 * change to it is a change to SQLite's schema (a table or an index made or dropped), which
 * moves the schema cookie (`PRAGMA schema_version`). `get` and `names` outside a transaction,
 * and the start of every transaction, compare it with the one the mirror was read at, and
 * reload the mirror when it moved (after this process's own changes too: they are rare).
 */
export class SqliteReadCatalog {
  readonly #db: Database;
  readonly #collections = new Map<string, CollectionMeta>();
  readonly #run: (work: () => void) => void;
  readonly #runImmediate: (work: () => void) => void;
  readonly #schemaVersion: Statement;
  /** The schema cookie the mirror was read at. */
  #schema = -1;

  constructor(db: Database) {
    this.#db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS _read_collections (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`);
    db.exec(
      `CREATE TABLE IF NOT EXISTS _read_indexes (id INTEGER PRIMARY KEY, collection INTEGER NOT NULL, name TEXT NOT NULL,` +
        ` keys TEXT NOT NULL, is_unique INTEGER NOT NULL, multikey INTEGER NOT NULL)`,
    );
    const transaction = db.transaction((work: () => void) => work());
    this.#run = (work) => transaction(work);
    // BEGIN IMMEDIATE takes the write lock at once: two processes never both read, then both fail to write.
    this.#runImmediate = (work) => transaction.immediate(work);
    this.#schemaVersion = db.prepare('PRAGMA schema_version').pluck();
    this.reload();
  }

  get(name: string): CollectionMeta | undefined {
    if (!this.#db.inTransaction) this.#fresh();
    return this.#collections.get(name);
  }

  names(): string[] {
    if (!this.#db.inTransaction) this.#fresh();
    return [...this.#collections.keys()];
  }

  /** The collection, created (table and catalog row) if it does not exist yet. */
  ensure(name: string): CollectionMeta {
    const existing = this.#collections.get(name);
    if (existing) return existing;
    const { lastInsertRowid } = this.#db.prepare('INSERT INTO _read_collections (name) VALUES (?)').run(name);
    const meta = this.#meta(Number(lastInsertRowid), name);
    this.#db.exec(`CREATE TABLE "${meta.table}" (_id PRIMARY KEY, doc BLOB NOT NULL) WITHOUT ROWID`);
    this.#collections.set(name, meta);
    return meta;
  }

  /** Records an index (its SQLite objects are the caller's to create). */
  addIndex(meta: CollectionMeta, name: string, keys: IndexDefinition['keys'], unique: boolean, deferred: boolean): IndexDefinition {
    const { lastInsertRowid } = this.#db
      .prepare('INSERT INTO _read_indexes (collection, name, keys, is_unique, multikey) VALUES (?, ?, ?, ?, 0)')
      .run(meta.id, name, JSON.stringify(keys), unique ? 1 : 0);
    const index: IndexDefinition = { id: Number(lastInsertRowid), name, keys, unique, multikey: false, deferred };
    meta.indexes.push(index);
    meta.statements.clear();
    return index;
  }

  setMultikey(meta: CollectionMeta, index: IndexDefinition): void {
    this.#db.prepare('UPDATE _read_indexes SET multikey = 1 WHERE id = ?').run(index.id);
    index.multikey = true;
    index.deferred = false;
    meta.statements.clear();
  }

  /** Drops the collection's tables (its side tables included) and forgets it. */
  drop(name: string): void {
    const meta = this.#collections.get(name);
    if (!meta) return;
    for (const index of meta.indexes) if (index.multikey) this.#db.exec(`DROP TABLE "${sideTableName(meta.table, index)}"`);
    this.#db.exec(`DROP TABLE "${meta.table}"`);
    this.#db.prepare('DELETE FROM _read_indexes WHERE collection = ?').run(meta.id);
    this.#db.prepare('DELETE FROM _read_collections WHERE id = ?').run(meta.id);
    this.#collections.delete(name);
  }

  statement(meta: CollectionMeta, sql: string): Statement {
    let statement = meta.statements.get(sql);
    if (!statement) meta.statements.set(sql, (statement = this.#db.prepare(sql)));
    return statement;
  }

  /** Runs `work` in one transaction (a savepoint when one is open); on failure rolls it back and rethrows. */
  atomic<R>(work: () => R): R {
    let result: R | undefined;
    let done = false;
    try {
      const outermost = !this.#db.inTransaction;
      (outermost ? this.#runImmediate : this.#run)(() => {
        if (outermost) this.#fresh();
        result = work();
        done = true;
      });
    } catch (error) {
      this.reload();
      throw error;
    }
    if (!done) throw new Error('transaction ended without running its work');
    return result as R;
  }

  /** Reloads the mirror when the file's schema changed since it was read. */
  #fresh(): void {
    if (this.#schemaVersion.get() !== this.#schema) this.reload();
  }

  /** Reads the catalog again from the file, dropping every prepared statement. */
  reload(): void {
    this.#schema = this.#schemaVersion.get() as number;
    this.#collections.clear();
    const rows = this.#db.prepare('SELECT id, name FROM _read_collections').all() as Array<{ id: number; name: string }>;
    for (const row of rows) this.#collections.set(row.name, this.#meta(row.id, row.name));
    const indexes = this.#db
      .prepare('SELECT id, collection, name, keys, is_unique, multikey FROM _read_indexes ORDER BY id')
      .all() as Array<{
      id: number;
      collection: number;
      name: string;
      keys: string;
      is_unique: number;
      multikey: number;
    }>;
    const byId = new Map([...this.#collections.values()].map((meta) => [meta.id, meta]));
    const created = new Set(
      (this.#db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).all() as Array<{ name: string }>).map((row) => row.name),
    );
    for (const row of indexes) {
      const meta = byId.get(row.collection);
      if (!meta) continue;
      const index: IndexDefinition = {
        id: row.id,
        name: row.name,
        keys: JSON.parse(row.keys) as IndexDefinition['keys'],
        unique: row.is_unique === 1,
        multikey: row.multikey === 1,
        deferred: false,
      };
      index.deferred = !index.multikey && !created.has(expressionIndexName(meta.table, index));
      meta.indexes.push(index);
    }
  }

  #meta(id: number, name: string): CollectionMeta {
    return { id, name, table: `c${id}`, indexes: [], statements: new Map() };
  }
}
