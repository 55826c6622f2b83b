import { Context } from 'mingo/core';
import * as expressionOperators from 'mingo/operators/expression';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import { Query } from 'mingo/query';
import { copyPlain, isPlainObject } from './memory-copy.js';
import type { Document, Filter, ProjectionSpec } from './read-store.js';

/**
 * Mongo filters and projections evaluated by mingo for the memory read store.
 *
 * mingo copies its operator context into every Query it builds; with the default context
 * (every operator of every kind) that copy alone costs ~15 µs. Filters and projections
 * need only the query, projection and expression (for `$expr`) operators: ~4 µs.
 */
const OPTIONS = {
  context: Context.init({ query: queryOperators, projection: projectionOperators, expression: expressionOperators }),
};

/** Compiled filters by their JSON text, so a filter met again is not compiled again. */
const MAX_CACHED = 1_000;
const compiled = new Map<string, Query>();
const MATCH_ALL = new Query({}, OPTIONS);

/**
 * Filters whose result depends on more than their JSON text: `$expr` may read `$$NOW`,
 * which a compiled Query fixes at its first use.
 */
const UNCACHEABLE_OPERATORS = new Set(['$expr', '$where', '$function']);

export interface CompiledFilter {
  test(doc: Document): boolean;
}

export function compileFilter(filter: Filter): CompiledFilter {
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

/** Copies of `docs`, reduced to `projection` (inclusion or exclusion) when there is one. */
export function project(docs: readonly Document[], projection: ProjectionSpec | undefined): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs.map(copyPlain);
  return MATCH_ALL.find<Document>(docs, projection).all().map(copyPlain);
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
