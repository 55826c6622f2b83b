import { isPlainObject } from '../ports/plain-object.js';
import type { KeyTuple, MemoryIndex } from './memory-index.js';
import { compareValues, typeRank } from './memory-order.js';
import type { EntryGap, Reached, SortedEntries } from './memory-sorted-entries.js';
import type { DocId, Document, Filter, SortSpec } from '../ports/read-store.js';

/**
 * Query planning for the memory read store: from a filter, pick the cheapest source of
 * candidate documents among the `_id` map, the secondary indexes and a full scan. The
 * candidates are a superset of the matches; the caller still applies the whole filter.
 *
 * An index serves a filter with equality (or `$in`) on every field but the last, and any
 * condition on the last (equality, `$in`, a range, or none). Top-level `$and`/`$or` are not
 * looked into: such filters fall back to the other conditions, or to a scan.
 */

export interface Plan {
  /** Stored documents that may match: a superset of the matches. */
  readonly candidates: Iterable<Document>;
  /** True when the candidates come in the requested sort order (or none was requested). */
  readonly ordered: boolean;
}

interface Bound {
  readonly value: unknown;
  readonly inclusive: boolean;
}

/** What a filter says about one field, as far as an index can use it. */
type Constraint =
  | { readonly kind: 'points'; readonly values: readonly unknown[] }
  | { readonly kind: 'range'; readonly low?: Bound; readonly high?: Bound }
  | { readonly kind: 'none' };

interface Segment {
  readonly bucket: SortedEntries;
  readonly from: EntryGap;
  readonly to: EntryGap;
}

interface Costed extends Plan {
  readonly cost: number;
}

/** Beyond this many combinations of `$in` values on the prefix fields, an index is not used. */
const MAX_PREFIXES = 256;
const NONE: Constraint = { kind: 'none' };

export function planQuery(
  filter: Filter,
  sort: SortSpec | undefined,
  docs: ReadonlyMap<DocId, Document>,
  indexes: readonly MemoryIndex[],
): Plan {
  const sorted = sort !== undefined && Object.keys(sort).length > 0;
  let best: Costed = { candidates: docs.values(), ordered: !sorted, cost: docs.size };
  const byId = idPlan(filter, sorted, docs);
  if (byId && isBetter(byId, best)) best = byId;
  for (const index of indexes) {
    const plan = indexPlan(index, filter, sort, docs);
    if (plan && isBetter(plan, best)) best = plan;
  }
  return best;
}

/** Fewer candidates first; at equal counts, the plan that spares a sort. */
function isBetter(plan: Costed, than: Costed): boolean {
  return plan.cost < than.cost || (plan.cost === than.cost && plan.ordered && !than.ordered);
}

function idPlan(filter: Filter, sorted: boolean, docs: ReadonlyMap<DocId, Document>): Costed | undefined {
  const constraint = constraintOf(filter._id);
  if (constraint.kind !== 'points') return undefined;
  const found: Document[] = [];
  for (const id of constraint.values) {
    const doc = typeof id === 'string' || typeof id === 'number' ? docs.get(id) : undefined;
    if (doc) found.push(doc);
  }
  return { candidates: found, ordered: !sorted || found.length <= 1, cost: constraint.values.length };
}

function indexPlan(index: MemoryIndex, filter: Filter, sort: SortSpec | undefined, docs: ReadonlyMap<DocId, Document>): Costed | undefined {
  const prefixes = prefixCombinations(index.prefixFields.map((field) => constraintOf(filter[field])));
  if (!prefixes) return undefined;
  const last = constraintOf(filter[index.lastField]);
  const ranges = rangesOf(last, index.multikey);
  const segments: Segment[] = [];
  for (const prefix of prefixes) {
    const bucket = index.bucket(prefix);
    if (!bucket) continue;
    for (const range of ranges) segments.push({ bucket, from: bucket.locate(range.reached), to: bucket.locate(range.passed) });
  }
  const cost = segments.reduce((sum, segment) => sum + segment.bucket.distance(segment.from, segment.to), 0);
  const order = indexOrder(index, prefixes.length, last, sort);
  const descending = order === 'desc';
  return {
    candidates: indexCandidates(descending ? segments.reverse() : segments, descending, index.multikey, docs),
    ordered: order !== undefined,
    cost,
  };
}

/** Every combination of the prefix fields' values, or undefined when one has no equality. */
function prefixCombinations(constraints: readonly Constraint[]): KeyTuple[] | undefined {
  let combinations: unknown[][] = [[]];
  for (const constraint of constraints) {
    if (constraint.kind !== 'points') return undefined;
    if (combinations.length * constraint.values.length > MAX_PREFIXES) return undefined;
    combinations = combinations.flatMap((prefix) => constraint.values.map((value) => [...prefix, value]));
  }
  return combinations;
}

/**
 * In which direction walking the index yields the requested order: the sort may name the
 * index's fields fixed by the filter, then at most the last field. Several prefix groups,
 * or array values (one document at several places), interleave: no order then.
 */
function indexOrder(index: MemoryIndex, prefixCount: number, last: Constraint, sort: SortSpec | undefined): 'asc' | 'desc' | undefined {
  const keys = Object.keys(sort ?? {});
  if (keys.length === 0) return 'asc';
  if (index.multikey || prefixCount > 1) return undefined;
  const fixed = new Set(index.prefixFields);
  if (last.kind === 'points' && last.values.length === 1) fixed.add(index.lastField);
  const rest = keys.filter((key) => !fixed.has(key));
  if (rest.length === 0) return 'asc';
  if (rest.length > 1 || rest[0] !== index.lastField) return undefined;
  return sort?.[index.lastField] === -1 ? 'desc' : 'asc';
}

function* indexCandidates(
  segments: readonly Segment[],
  descending: boolean,
  multikey: boolean,
  docs: ReadonlyMap<DocId, Document>,
): Generator<Document> {
  const seen = multikey ? new Set<DocId>() : undefined;
  for (const { bucket, from, to } of segments) {
    for (const id of bucket.ids(from, to, descending)) {
      if (seen) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      const doc = docs.get(id);
      if (doc) yield doc;
    }
  }
}

/** The stretches of a sorted group that hold the values a constraint admits, in order. */
function rangesOf(constraint: Constraint, multikey: boolean): Array<{ reached: Reached; passed: Reached }> {
  switch (constraint.kind) {
    case 'points':
      return constraint.values.map((value) => ({
        reached: (key) => compareValues(key, value) >= 0,
        passed: (key) => compareValues(key, value) > 0,
      }));
    case 'range':
      return [boundedRange(constraint.low, multikey && constraint.low ? undefined : constraint.high)];
    case 'none':
      return [{ reached: () => true, passed: () => false }];
  }
}

/**
 * A range with a missing side stops at the edge of the other side's type, as Mongo's
 * comparisons do (`$lt: 5` admits numbers only). On an array field, `{ $gt: 1, $lt: 5 }`
 * may be met by two different elements, so the caller passes one side only.
 */
function boundedRange(low: Bound | undefined, high: Bound | undefined): { reached: Reached; passed: Reached } {
  const lowRank = typeRank(low ? low.value : high?.value);
  const highRank = typeRank(high ? high.value : low?.value);
  return {
    reached: low ? (key) => compareValues(key, low.value) >= (low.inclusive ? 0 : 1) : (key) => typeRank(key) >= lowRank,
    passed: high ? (key) => compareValues(key, high.value) > (high.inclusive ? 0 : -1) : (key) => typeRank(key) > highRank,
  };
}

/** Reads one field's condition: a plain value, `$eq`, `$in`, and `$gt`/`$gte`/`$lt`/`$lte`. */
function constraintOf(condition: unknown): Constraint {
  if (isIndexable(condition)) return { kind: 'points', values: [condition] };
  if (!isPlainObject(condition) || !Object.keys(condition).every((key) => key.startsWith('$'))) return NONE;
  if (Object.hasOwn(condition, '$eq')) return isIndexable(condition.$eq) ? { kind: 'points', values: [condition.$eq] } : NONE;
  const values = condition.$in;
  if (Array.isArray(values)) return values.every(isIndexable) ? { kind: 'points', values: sortedDistinct(values) } : NONE;
  const low = tighter(bound(condition, '$gt', false), bound(condition, '$gte', true), 1);
  const high = tighter(bound(condition, '$lt', false), bound(condition, '$lte', true), -1);
  return low || high ? { kind: 'range', low, high } : NONE;
}

function bound(condition: Record<string, unknown>, operator: string, inclusive: boolean): Bound | undefined {
  const value = condition[operator];
  return isIndexable(value) ? { value, inclusive } : undefined;
}

/** Of two bounds on the same side, the narrower one (`side` 1 for low, -1 for high). */
function tighter(exclusive: Bound | undefined, inclusive: Bound | undefined, side: 1 | -1): Bound | undefined {
  if (!exclusive || !inclusive) return exclusive ?? inclusive;
  return compareValues(inclusive.value, exclusive.value) * side > 0 ? inclusive : exclusive;
}

/** Values an index can look up: scalars whose equality is plain value equality. */
function isIndexable(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return true;
    case 'object':
      return value === null || value instanceof Date;
    default:
      return false;
  }
}

function sortedDistinct(values: readonly unknown[]): unknown[] {
  const sorted = [...values].sort(compareValues);
  return sorted.filter((value, i) => i === 0 || compareValues(value, sorted[i - 1]) !== 0);
}
