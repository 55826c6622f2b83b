import type { Filter, SortSpec } from '../ports/read-store.js';
import {
  NULL_KEY_SQL,
  encodeKey,
  expressionIndexName,
  keyExpression,
  sideColumn,
  sideTableName,
  type IndexDefinition,
  type KeyValue,
} from './sqlite-read-index.js';

/**
 * How the SQLite read store finds the candidates of a filter: one SELECT over the `_id`
 * primary key or over one index, whose WHERE holds only what that index answers. The full
 * filter is then tested with mingo on each candidate (unless the SQL alone is exact), so
 * results are Mongo's whatever the SQL leaves out.
 *
 * Translated: top-level fields (and those of a top-level `$and`) compared by equality,
 * `$eq`, `$in` of scalars, and `$gt`/`$gte`/`$lt`/`$lte` with a number or string bound.
 * A range is bounded to its bound's type, as Mongo compares (`$gt: 4` matches numbers only),
 * so it never walks the strings of an index. Everything else (`$ne`, `$exists`, `$regex`,
 * `$or`, documents) only narrows the candidates mingo sees.
 */
export interface Plan {
  /** Selects `_id` and `doc` (as JSON text). */
  readonly sql: string;
  readonly params: KeyValue[];
  /** The SQL alone selects exactly the filter's matches: no mingo test needed. */
  readonly exact: boolean;
  /**
   * Rows come in the order asked for: by `_id` (asked for, or no sort), or by an index that
   * serves the sort (its equality prefix fixed, then the sort's fields, then `_id`).
   */
  readonly ordered: boolean;
  /**
   * The sort fields SQL ordered by through their index keys: that order is Mongo's only while
   * their values are numbers, strings, null or missing (see sqlite-read-index.ts), which the
   * reader checks on each row.
   */
  readonly sortedBy: readonly string[];
  /** From a multikey side table: a document may come once per matching element. */
  readonly repeats: boolean;
  /** Which index it walks (for tests and EXPLAIN): '_id', an index name, or 'scan'. */
  readonly via: string;
}

type Scalar = string | number | boolean | null;
interface Bound {
  readonly value: string | number;
  readonly inclusive: boolean;
}
interface FieldCondition {
  values?: Scalar[];
  lower?: Bound;
  upper?: Bound;
}

/** `pushSort: false` leaves a sort other than by `_id` to the caller (when values SQL cannot order turned up). */
export function planQuery(
  table: string,
  indexes: readonly IndexDefinition[],
  filter: Filter,
  sort: SortSpec | undefined,
  pushSort = true,
): Plan {
  const conditions = new Map<string, FieldCondition>();
  let translatedAll = collect(filter, conditions);
  const idOrder = idSortDirection(sort);
  const orderBy = idOrder === undefined ? '' : ` ORDER BY _id${idOrder === -1 ? ' DESC' : ''}`;
  const id = conditions.get('_id');
  if (id?.values) {
    translatedAll &&= conditions.size === 1 && id.values.every(isIdValue) && !id.lower && !id.upper;
    const where = compare('_id', id);
    if (id.lower || id.upper) {
      const range = compare('_id', { lower: id.lower, upper: id.upper });
      append(where, range);
    }
    return plan(`SELECT _id, json(doc) AS doc FROM "${table}" WHERE ${where.sql.join(' AND ')}${orderBy}`, where.params, {
      exact: translatedAll,
      ordered: idOrder !== undefined || id.values.length <= 1,
      sortedBy: [],
      repeats: false,
      via: '_id',
    });
  }
  const best = chooseIndex(indexes, conditions);
  const idRange = id ? compare('_id', id) : { sql: [], params: [] };
  if (!best) {
    const exact = translatedAll && conditions.size === (id ? 1 : 0);
    const where = idRange.sql.length > 0 ? ` WHERE ${idRange.sql.join(' AND ')}` : '';
    return plan(`SELECT _id, json(doc) AS doc FROM "${table}"${where}${orderBy}`, idRange.params, {
      exact,
      ordered: idOrder !== undefined,
      sortedBy: [],
      repeats: false,
      via: id ? '_id' : 'scan',
    });
  }
  const { index, used } = best;
  if (!index.multikey) {
    const where = collectWhere(used.map(([field, condition]) => [keyExpression(field), condition] as const));
    if (!used.some(([field]) => field === '_id')) append(where, idRange);
    const served = idOrder === undefined && sort && pushSort ? servedSort(index, used, sort) : undefined;
    const order = served ? ` ORDER BY ${served.join(', ')}` : orderBy;
    const sql = `SELECT _id, json(doc) AS doc FROM "${table}" INDEXED BY "${expressionIndexName(table, index)}" WHERE ${where.sql.join(' AND ')}${order}`;
    return plan(sql, where.params, {
      exact: false,
      ordered: idOrder !== undefined || served !== undefined,
      sortedBy: served && sort ? Object.keys(sort).filter((field) => field !== '_id') : [],
      repeats: false,
      via: index.name,
    });
  }
  const side = sideTableName(table, index);
  const where = collectWhere(
    used.map(
      ([field, condition]) =>
        [
          `s.${sideColumn(
            index,
            index.keys.findIndex(([key]) => key === field),
          )}`,
          condition,
        ] as const,
    ),
  );
  if (!used.some(([field]) => field === '_id') && id) {
    const range = compare('s._id', id);
    append(where, range);
  }
  const sideOrder = idOrder === undefined ? '' : ` ORDER BY s._id${idOrder === -1 ? ' DESC' : ''}`;
  // CROSS JOIN keeps the side table outside: SQLite walks the entries, then looks up each document.
  const sql = `SELECT t._id AS _id, json(t.doc) AS doc FROM "${side}" AS s CROSS JOIN "${table}" AS t ON t._id = s._id WHERE ${where.sql.join(' AND ')}${sideOrder}`;
  return plan(sql, where.params, { exact: false, ordered: idOrder !== undefined, sortedBy: [], repeats: true, via: index.name });
}

/**
 * The ORDER BY terms by which `index` yields rows in `sort`'s order, or undefined when it
 * cannot: the keys before the sort's fields must be fixed by a single equality, the sort's
 * fields must follow in the index's order and directions, and a last `_id` is the primary key
 * every index entry ends with. Ascending only (as the index is walked), so that ties come in
 * `_id` order as they would from an in-memory sort of the index's candidates.
 */
function servedSort(index: IndexDefinition, used: ReadonlyArray<[string, FieldCondition]>, sort: SortSpec): string[] | undefined {
  const fields = Object.entries(sort);
  let position = 0;
  while (position < used.length && used[position]?.[1].values?.length === 1 && index.keys[position]?.[0] !== fields[0]?.[0]) position++;
  const terms: string[] = [];
  for (const [at, [field, direction]] of fields.entries()) {
    const key = index.keys[position + at];
    if (key) {
      if (key[0] !== field || key[1] !== 1 || direction !== 1 || field === '_id') return undefined;
      terms.push(keyExpression(field));
    } else if (field !== '_id' || direction !== 1 || at !== fields.length - 1) {
      return undefined;
    }
  }
  return [...terms, '_id'];
}

function plan(sql: string, params: KeyValue[], rest: Omit<Plan, 'sql' | 'params'>): Plan {
  return { sql, params, ...rest };
}

/** The index answering most of the filter: most leading keys compared by equality, then a range on the next. */
function chooseIndex(
  indexes: readonly IndexDefinition[],
  conditions: ReadonlyMap<string, FieldCondition>,
): { index: IndexDefinition; used: Array<[string, FieldCondition]> } | undefined {
  let best: { index: IndexDefinition; used: Array<[string, FieldCondition]>; score: number } | undefined;
  for (const index of indexes) {
    const used: Array<[string, FieldCondition]> = [];
    let score = 0;
    for (const [field] of index.keys) {
      const condition = conditions.get(field);
      if (!condition) break;
      if (condition.values) {
        used.push([field, { values: condition.values }]);
        score += 2;
        continue;
      }
      used.push([field, condition]);
      score += 1;
      break;
    }
    if (score > 0 && (!best || score > best.score || (score === best.score && !index.multikey && best.index.multikey))) {
      best = { index, used, score };
    }
  }
  return best;
}

function collectWhere(parts: ReadonlyArray<readonly [string, FieldCondition]>): { sql: string[]; params: KeyValue[] } {
  const sql: string[] = [];
  const params: KeyValue[] = [];
  for (const [expression, condition] of parts) {
    append({ sql, params }, compare(expression, condition));
  }
  return { sql, params };
}

interface Where {
  sql: string[];
  params: KeyValue[];
}

function append(target: Where, part: Where): void {
  target.sql.push(...part.sql);
  target.params.push(...part.params);
}

/** SQL comparing `expression` as a condition asks; an equality wins over a range on the same field. */
function compare(expression: string, condition: FieldCondition): { sql: string[]; params: KeyValue[] } {
  if (condition.values) {
    const [only] = condition.values;
    if (condition.values.length === 1) return { sql: [`${expression} = ?`], params: [encodeKey(only)] };
    // One statement shape for any number of values; null stays null inside JSON, so it is keyed here.
    return {
      sql: [`${expression} IN (SELECT ifnull(value, ${NULL_KEY_SQL}) FROM json_each(?))`],
      params: [JSON.stringify(condition.values.map((value) => (typeof value === 'boolean' ? Number(value) : value)))],
    };
  }
  const sql: string[] = [];
  const params: KeyValue[] = [];
  const { lower, upper } = condition;
  if (lower) append({ sql, params }, { sql: [`${expression} ${lower.inclusive ? '>=' : '>'} ?`], params: [lower.value] });
  else if (upper) sql.push(typeof upper.value === 'number' ? `${expression} > ${NULL_KEY_SQL}` : `${expression} >= ''`);
  if (upper) append({ sql, params }, { sql: [`${expression} ${upper.inclusive ? '<=' : '<'} ?`], params: [upper.value] });
  else if (lower) sql.push(typeof lower.value === 'number' ? `${expression} < ''` : `${expression} < X''`);
  return { sql, params };
}

/** Gathers the translatable conditions of `filter`; false when some part of it is left to mingo. */
function collect(filter: Filter, into: Map<string, FieldCondition>): boolean {
  let all = true;
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(condition)) {
      for (const clause of condition) all = isRecord(clause) && collect(clause, into) && all;
    } else if (key.startsWith('$')) {
      all = false;
    } else {
      all = collectField(key, condition, into) && all;
    }
  }
  return all;
}

function collectField(field: string, condition: unknown, into: Map<string, FieldCondition>): boolean {
  const entry = into.get(field) ?? {};
  let all = true;
  if (isScalar(condition)) {
    entry.values = [condition];
  } else if (isRecord(condition) && Object.keys(condition).length > 0 && Object.keys(condition).every((op) => op.startsWith('$'))) {
    for (const [operator, operand] of Object.entries(condition)) {
      if (operator === '$eq' && isScalar(operand)) entry.values = [operand];
      else if (operator === '$in' && Array.isArray(operand) && operand.every(isScalar)) entry.values = operand;
      else if ((operator === '$gt' || operator === '$gte') && isBound(operand) && !entry.lower)
        entry.lower = { value: operand, inclusive: operator === '$gte' };
      else if ((operator === '$lt' || operator === '$lte') && isBound(operand) && !entry.upper)
        entry.upper = { value: operand, inclusive: operator === '$lte' };
      else all = false;
    }
  } else {
    all = false;
  }
  if (entry.values || entry.lower || entry.upper) into.set(field, entry);
  // An equality on a field other than _id can match arrays holding the value: never exact.
  return all && field === '_id';
}

function idSortDirection(sort: SortSpec | undefined): 1 | -1 | undefined {
  if (!sort) return 1;
  const keys = Object.keys(sort);
  if (keys.length === 0) return 1;
  return keys.length === 1 && keys[0] === '_id' ? sort._id : undefined;
}

function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function isBound(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function isIdValue(value: Scalar): boolean {
  return typeof value === 'string' || typeof value === 'number';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RegExp) && !(value instanceof Date);
}
