/**
 * Copying and comparing the plain data documents are made of (objects, arrays, primitives,
 * dates). Tuned for that shape: far cheaper than structuredClone, which the memory store
 * would otherwise pay on every read and write.
 */

import { isPlainObject } from '../ports/plain-object.js';

/**
 * A deep copy of plain objects, arrays and dates. Other class instances (a Buffer, a bson
 * ObjectId) are kept by reference: documents are plain data, and such values are treated
 * as immutable.
 */
export function copyPlain<V>(value: V): V {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return copyArray(value) as V;
  if (value instanceof Date) return new Date(value.getTime()) as V;
  if (!isPlainObject(value)) return value;
  // A spread clones the object's shape at once (2-2.5x a copy field by field, whose keyed
  // stores are V8's slowest); then only the nested values are copied in turn. Most fields are
  // scalars (read models are mostly flat documents).
  const copy: Record<string, unknown> = { ...value };
  for (const key in copy) {
    const field = copy[key];
    if (typeof field === 'object' && field !== null) copy[key] = copyPlain(field);
  }
  return copy as V;
}

/**
 * A one-level copy of a plain object, for a copy that will be written to. Not `{ ...value }`:
 * V8 gives spread clones shapes that turn slow as soon as a field is added (an upsert adding
 * its fields to the seed went from 0.3 to 3.5 µs).
 */
export function shallowCopy(value: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = value[key];
  return copy;
}

function copyArray(values: readonly unknown[]): unknown[] {
  const copy = new Array<unknown>(values.length);
  for (let i = 0; i < values.length; i++) copy[i] = copyPlain(values[i]);
  return copy;
}

/** Deep equality of plain data; unlike Mongo, the order of an object's fields is ignored. */
export function plainEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && arraysEqual(a, b);
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  return isPlainObject(a) && isPlainObject(b) && objectsEqual(a, b);
}

function arraysEqual(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!plainEqual(a[i], b[i])) return false;
  return true;
}

function objectsEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !plainEqual(a[key], b[key])) return false;
  }
  return true;
}
