import { isPlainObject } from '../ports/plain-object.js';
import { EMPTY_ARRAY, compareValues } from './memory-order.js';

/**
 * Dot paths (`'profile.name'`) as the memory read store resolves them for index keys and
 * sort keys, with Mongo's array rules: a path reaches into every element of an array it
 * crosses, and an array at the end of a path contributes each of its elements.
 */

const MAX_CACHED_PATHS = 10_000;
const segmentsCache = new Map<string, readonly string[]>();

/** The segments of a dot path, cached: the same few field names are split on every write. */
export function splitPath(path: string): readonly string[] {
  let segments = segmentsCache.get(path);
  if (!segments) {
    if (segmentsCache.size >= MAX_CACHED_PATHS) segmentsCache.clear();
    segments = path.split('.');
    segmentsCache.set(path, segments);
  }
  return segments;
}

/**
 * Every value `path` designates in `doc`, deduplicated and at least one: a missing field
 * counts as null (as in a Mongo index), an empty array as EMPTY_ARRAY.
 */
export function pathValues(doc: unknown, path: string): unknown[] {
  const values: unknown[] = [];
  collect(doc, splitPath(path), 0, values);
  return values.length > 1 ? dedupe(values) : values;
}

function collect(value: unknown, segments: readonly string[], depth: number, out: unknown[]): void {
  if (depth === segments.length) {
    collectLeaf(value, out);
  } else if (Array.isArray(value)) {
    collectFromArray(value, segments, depth, out);
  } else if (isPlainObject(value)) {
    collect(value[segments[depth] as string], segments, depth + 1, out);
  } else {
    out.push(null);
  }
}

function collectLeaf(value: unknown, out: unknown[]): void {
  if (!Array.isArray(value)) out.push(value === undefined ? null : value);
  else if (value.length === 0) out.push(EMPTY_ARRAY);
  else for (const element of value) out.push(element === undefined ? null : element);
}

/** A segment after an array names a field of each element, or (when numeric) an element. */
function collectFromArray(values: readonly unknown[], segments: readonly string[], depth: number, out: unknown[]): void {
  const segment = segments[depth] as string;
  const before = out.length;
  if (/^\d+$/.test(segment)) collect(values[Number(segment)], segments, depth + 1, out);
  for (const element of values) {
    if (isPlainObject(element)) collect(element[segment], segments, depth + 1, out);
  }
  if (out.length === before) out.push(null);
}

function dedupe(values: unknown[]): unknown[] {
  values.sort(compareValues);
  let kept = 1;
  for (let i = 1; i < values.length; i++) {
    if (compareValues(values[i], values[kept - 1]) !== 0) values[kept++] = values[i];
  }
  values.length = kept;
  return values;
}
