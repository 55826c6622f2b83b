import { Context } from 'mingo/core';
import * as expressionOperators from 'mingo/operators/expression';
import * as queryOperators from 'mingo/operators/query';
import { Query } from 'mingo/query';
import { isPlainObject } from './plain-object.js';
import type { Document, Filter } from './read-store.js';

/**
 * Mongo filters tested on documents, as the memory and the SQLite read stores do: the common
 * shapes without mingo, the others by mingo.
 *
 * mingo copies its operator context into every Query it builds; with the default context
 * (every operator of every kind) that copy alone costs ~15 µs. Filters need only the query
 * and expression (for `$expr`) operators: ~4 µs.
 */
const OPTIONS = { context: Context.init({ query: queryOperators, expression: expressionOperators }) };

/** Compiled filters by their JSON text, so a filter met again is not compiled again. */
const MAX_CACHED = 1_000;
const compiled = new Map<string, Query>();

/**
 * Filters whose result depends on more than their JSON text: `$expr` may read `$$NOW`,
 * which a compiled Query fixes at its first use.
 */
const UNCACHEABLE_OPERATORS = new Set(['$expr', '$where', '$function']);

export interface CompiledFilter {
  test(doc: Document): boolean;
}

export function compileFilter(filter: Filter): CompiledFilter {
  return simpleFilter(filter) ?? mingoFilter(filter);
}

function mingoFilter(filter: Filter): CompiledFilter {
  if (!isJsonData(filter)) return new Query(filter, OPTIONS);
  const key = JSON.stringify(filter);
  let query = compiled.get(key);
  if (!query) {
    if (compiled.size >= MAX_CACHED) compiled.clear();
    query = new Query(filter, OPTIONS);
    compiled.set(key, query);
  }
  return query;
}

/** A comparison of one top-level field with a scalar: `{ f: v }`, `$eq`, `$ne`, `$gt`, `$gte`, `$lt`, `$lte`. */
interface Condition {
  readonly field: string;
  readonly operator: string;
  readonly operand: Scalar;
}

type Scalar = string | number | boolean | null;

/** Returned by a condition whose field holds something it does not decide (a document, most arrays). */
const UNDECIDED = 2;

const COMPARISONS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte']);

/**
 * The filters projections and queries write most (`{ sessionId: s }`, `{ _id: k, version:
 * { $lt: p } }`, `{ room: r, leftAt: null }`, `{ _id: r, members: u }`), tested without mingo:
 * compiling a Query costs microseconds, and these filters are seldom the same twice. A
 * document whose field holds a value of another kind than the operand, or a document, is
 * handed to mingo, so the answer is always mingo's; undefined when the filter is not of this
 * shape.
 */
export function simpleFilter(filter: Filter): CompiledFilter | undefined {
  const conditions: Condition[] = [];
  for (const field in filter) {
    if (field.startsWith('$') || field.includes('.')) return undefined;
    const condition = filter[field];
    if (isScalar(condition)) conditions.push({ field, operator: '$eq', operand: condition });
    else if (!addComparisons(conditions, field, condition)) return undefined;
  }
  return {
    test(doc: Document): boolean {
      for (const condition of conditions) {
        const outcome = decide(condition, doc[condition.field]);
        if (outcome === UNDECIDED) return mingoFilter(filter).test(doc);
        if (!outcome) return false;
      }
      return true;
    },
  };
}

/** The operators of `{ $gt: 1, $lt: 5 }`, when every one is a comparison with a scalar. */
function addComparisons(conditions: Condition[], field: string, condition: unknown): boolean {
  if (!isPlainObject(condition)) return false;
  let any = false;
  for (const operator in condition) {
    const operand = condition[operator];
    if (!COMPARISONS.has(operator) || !isScalar(operand)) return false;
    conditions.push({ field, operator, operand });
    any = true;
  }
  return any;
}

/** Scalars whose Mongo comparisons are JavaScript's (no NaN, no bigint). */
function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && !Number.isNaN(value));
}

/**
 * Mongo's answer for a value of the same kind as the operand (a missing field is null), or
 * UNDECIDED. Equality holds between equal scalars only, or, for an array and an operand other
 * than null, when an element is that scalar (an array of ids, `{ members: u }`); ranges
 * compare same-typed values.
 */
function decide({ operator, operand }: Condition, value: unknown): boolean | typeof UNDECIDED {
  const found = value === undefined ? null : value;
  if (!isScalar(found)) return operator === '$eq' && operand !== null && Array.isArray(found) ? found.includes(operand) : UNDECIDED;
  switch (operator) {
    case '$eq':
      return found === operand;
    case '$ne':
      return found !== operand;
  }
  if (operand === null || typeof found !== typeof operand || typeof found === 'boolean') return UNDECIDED;
  const a = found as string | number;
  const b = operand as string | number;
  switch (operator) {
    case '$gt':
      return a > b;
    case '$gte':
      return a >= b;
    case '$lt':
      return a < b;
    default:
      return a <= b;
  }
}

/**
 * True when JSON.stringify renders `value` faithfully, so that its text is a safe cache
 * key: no dates or regexes (they stringify like strings or `{}`), no undefined, NaN or
 * Infinity (they vanish or become null).
 */
function isJsonData(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) return true;
      if (Array.isArray(value)) return value.every(isJsonData);
      return isPlainObject(value) && Object.entries(value).every(([key, field]) => !UNCACHEABLE_OPERATORS.has(key) && isJsonData(field));
    default:
      return false;
  }
}
