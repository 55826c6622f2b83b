import type { Document } from '../ports/read-store.js';

/**
 * A secondary index of the SQLite read store, in one of two forms:
 *
 * - **expression**: a SQLite index on the collection table over each key's expression
 *   (`ifnull(json_extract(doc, '$."a"."b"'), -9e999)`, or the `_id` column), so SQLite keeps it
 *   in step with every write by itself. This is the form while no document holds an array on
 *   an indexed path.
 * - **multikey**: Mongo indexes each element of an array. An expression cannot, so the first
 *   document holding an array on an indexed path turns the index into a side table of entries
 *   `(key columns..., _id)`, one per element (as Mongo sets its multikey flag), filled from the
 *   collection at once and kept by the store on every write.
 *
 * Keys are encoded as json_extract gives them, in both forms: strings as text, numbers as
 * numbers, booleans as 1/0, documents as their JSON text; a missing field and null as -∞
 * (`-9e999`), which no JSON number can be, which sorts before every number, and which a
 * UNIQUE index counts as a value (SQLite counts NULLs as distinct; Mongo counts a missing
 * uniquely indexed field as null, once). Queries compare through the same expressions, so
 * SQLite answers them from the index; mingo re-checks every candidate, so where this encoding
 * is coarser than Mongo's (true and 1 share a key) results stay Mongo's. A unique index does
 * treat true and 1, or a document and its JSON text as a string, as one key.
 */
export interface IndexDefinition {
  /** Row id in the metadata table: names the SQLite objects (`c<collection>_x<id>`, `c<collection>_m<id>`). */
  readonly id: number;
  readonly name: string;
  readonly keys: ReadonlyArray<readonly [field: string, direction: 1 | -1]>;
  readonly unique: boolean;
  multikey: boolean;
  /**
   * An index declared on an empty collection and not created yet: a collection filled from
   * scratch (a projection's rebuild) gets it in one pass, when it is declared again (the
   * runner, after a catch-up) or before the first query that could use it, instead of keeping
   * it on every write (half the cost of each insert). Its form is chosen then: multikey, its
   * side table filled in key order, when a document holds an array on its path. Never unique:
   * those are enforced on every write. Known from the file: an expression index that SQLite
   * does not have, and not multikey.
   */
  deferred: boolean;
}

/** How a missing field or null is keyed: -Infinity, as a SQL literal and as a bound value. */
export const NULL_KEY_SQL = '-9e999';
export const NULL_KEY = -Infinity;

export type KeyValue = string | number;

/** The SQL expression of a key field over the collection table's `doc` (or its `_id` column). */
export function keyExpression(field: string): string {
  if (field === '_id') return '_id';
  return `ifnull(json_extract(doc, ${sqlString(jsonPath(field))}), ${NULL_KEY_SQL})`;
}

/** The column of key field `position` in a multikey side table (`_id` stays `_id`). */
export function sideColumn(index: IndexDefinition, position: number): string {
  return index.keys[position]?.[0] === '_id' ? '_id' : `k${position}`;
}

export function expressionIndexName(collectionTable: string, index: IndexDefinition): string {
  return `${collectionTable}_x${index.id}`;
}

export function sideTableName(collectionTable: string, index: IndexDefinition): string {
  return `${collectionTable}_m${index.id}`;
}

/** The DDL of the expression form. */
export function expressionIndexSql(collectionTable: string, index: IndexDefinition): string {
  const columns = index.keys.map(([field, direction]) => `${keyExpression(field)}${direction === -1 ? ' DESC' : ''}`);
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS "${expressionIndexName(collectionTable, index)}" ON "${collectionTable}" (${columns.join(', ')})`;
}

/** The DDL of the multikey form: the side table (first), its lookup by `_id`, and its uniqueness. */
export function sideTableSql(collectionTable: string, index: IndexDefinition): string[] {
  const table = sideTableName(collectionTable, index);
  const columns = index.keys.map((_, position) => sideColumn(index, position));
  const ordered = index.keys.map(([, direction], position) => `${columns[position]}${direction === -1 ? ' DESC' : ''}`);
  const primary = columns.includes('_id') ? ordered : [...ordered, '_id'];
  const statements = [
    `CREATE TABLE "${table}" (${[...new Set([...columns, '_id'])].join(', ')}, PRIMARY KEY (${primary.join(', ')})) WITHOUT ROWID`,
    `CREATE INDEX "${table}_id" ON "${table}" (_id)`,
  ];
  if (index.unique) statements.push(`CREATE UNIQUE INDEX "${table}_u" ON "${table}" (${columns.filter((c) => c !== '_id').join(', ')})`);
  return statements;
}

/**
 * A query that finds a document whose indexed path crosses or ends in an array (needsMultikey
 * in SQL: a prefix of the path, through documents, is an array), without reading every
 * document into JavaScript.
 */
export function arrayOnPathSql(collectionTable: string, index: IndexDefinition): string {
  const prefixes = index.keys.flatMap(([field]) =>
    field === '_id' ? [] : field.split('.').map((_, end, segments) => segments.slice(0, end + 1).join('.')),
  );
  const tests = prefixes.map((path) => `json_type(doc, ${sqlString(jsonPath(path))}) = 'array'`);
  return `SELECT 1 FROM "${collectionTable}" WHERE ${tests.length > 0 ? tests.join(' OR ') : '0'} LIMIT 1`;
}

/**
 * What a side table is filled from: each document's `_id` and, as JSON text, the top-level
 * fields the index's paths begin with (`heads`), not the whole document.
 */
export function indexedFieldsSql(collectionTable: string, index: IndexDefinition): { sql: string; heads: string[] } {
  const heads = [...new Set(index.keys.map(([field]) => field.split('.')[0] as string))].filter((head) => head !== '_id');
  const columns = heads.map((head) => `doc -> ${sqlString(jsonPath(head))}`);
  return { sql: `SELECT ${['_id', ...columns].join(', ')} FROM "${collectionTable}"`, heads };
}

/** True when some indexed path of `doc` crosses or ends in an array: the expression form cannot index it. */
export function needsMultikey(index: IndexDefinition, doc: Document): boolean {
  return index.keys.some(([field]) => field !== '_id' && pathHasArray(doc, field));
}

/**
 * The entries of `doc` in a multikey index: one key tuple per element of the array its keys
 * reach (deduplicated), ending with `_id` when the keys do not name it. Like Mongo, refuses a
 * document with arrays in two fields of one compound index.
 */
export function indexEntries(index: IndexDefinition, doc: Document): KeyValue[][] {
  const perField = index.keys.map(([field]) => (field === '_id' ? [doc._id] : valuesAt(doc, field.split('.'))));
  if (perField.filter((values) => values.length > 1).length > 1) {
    throw new Error(`cannot index parallel arrays: ${index.keys.map(([field]) => field).join(', ')} in index ${index.name}`);
  }
  const withId = index.keys.some(([field]) => field === '_id') ? [] : [[doc._id]];
  let tuples: KeyValue[][] = [[]];
  for (const values of [...perField, ...withId]) {
    tuples = tuples.flatMap((tuple) => values.map((value) => [...tuple, encodeKey(value)]));
  }
  const seen = new Set<string>();
  return tuples.filter((tuple) => {
    const text = JSON.stringify(tuple.map((value) => (value === NULL_KEY ? null : value)));
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}

/** A value as the index keys it (see the header). */
export function encodeKey(value: unknown): KeyValue {
  if (value === undefined || value === null) return NULL_KEY;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' || typeof value === 'number') return value;
  return JSON.stringify(value);
}

/** What the index holds for a document at a dotted path: each array element, or the value, or undefined. */
function valuesAt(value: unknown, segments: readonly string[]): unknown[] {
  if (segments.length === 0) return Array.isArray(value) ? (value.length === 0 ? [undefined] : value) : [value];
  if (Array.isArray(value)) {
    const found = value.flatMap((element) => (isRecord(element) ? valuesAt(element, segments) : []));
    return found.length === 0 ? [undefined] : found;
  }
  if (!isRecord(value)) return [undefined];
  const [head, ...rest] = segments;
  return valuesAt(Object.hasOwn(value, head as string) ? value[head as string] : undefined, rest);
}

function pathHasArray(doc: Document, field: string): boolean {
  let value: unknown = doc;
  for (const segment of field.split('.')) {
    if (!isRecord(value) || !Object.hasOwn(value, segment)) return false;
    value = value[segment];
    if (Array.isArray(value)) return true;
  }
  return false;
}

/** A JSON path naming each segment quoted, so any field name but one holding `"` is safe. */
function jsonPath(field: string): string {
  const segments = field.split('.');
  if (segments.some((segment) => segment.includes('"') || segment.length === 0)) throw new Error(`cannot index the field ${field}`);
  return `$${segments.map((segment) => `."${segment}"`).join('')}`;
}

/** The value at a dotted path through objects (not arrays); undefined when missing. */
export function valueAt(doc: Document, path: string): unknown {
  // A top-level field (most paths), without splitting the path: this runs for every row a sorted read checks.
  if (!path.includes('.')) return Object.hasOwn(doc, path) ? doc[path] : undefined;
  let value: unknown = doc;
  for (const segment of path.split('.')) {
    if (!isRecord(value) || !Object.hasOwn(value, segment)) return undefined;
    value = value[segment];
  }
  return value;
}

export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
