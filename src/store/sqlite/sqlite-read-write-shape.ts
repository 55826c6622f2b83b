import type { DocId, Document, Filter, Update, WriteOperation } from '../ports/read-store.js';
import { checkUpdate } from '../ports/update-check.js';

/**
 * The shapes of write that projections emit by the thousand (src/projections/*.ts), which the
 * SQLite read store applies by `_id` without mingo and without a savepoint of their own:
 *
 * - `replace`: `replaceOne` by `_id` alone, upserting: one `INSERT ... ON CONFLICT(_id) DO UPDATE`.
 * - `set`: `updateOne` by `_id` (and simple conditions on top-level fields, tested here), with
 *   `$set` and `$setOnInsert` of top-level fields: the document is read by its key, changed
 *   by plain assignment (as mingo's `$set` would: an existing field keeps its place, a new one
 *   comes last) and written back; and `$addToSet` of a string or a number to a top-level field
 *   (what the media projection does per media message), which pushes it unless the array has it.
 * - `delete`: `deleteOne` by `_id` alone.
 *
 * Anything else (dotted paths, other operators, other filters) is left to the general path.
 */
export type WriteShape =
  | { readonly kind: 'replace'; readonly id: DocId; readonly doc: Document }
  | {
      readonly kind: 'set';
      readonly id: DocId;
      readonly conditions: readonly Condition[];
      readonly set: Record<string, unknown> | undefined;
      readonly onInsert: Record<string, unknown> | undefined;
      readonly addToSet: Record<string, string | number> | undefined;
      readonly upsert: boolean;
    }
  | { readonly kind: 'delete'; readonly id: DocId };

/** A condition on a top-level field other than `_id`: equality to a scalar, or a range bound of a number or a string. */
export interface Condition {
  readonly field: string;
  readonly operator: '$eq' | '$lt' | '$lte' | '$gt' | '$gte';
  readonly value: string | number | boolean | null;
}

export function writeShape(operation: WriteOperation): WriteShape | undefined {
  if ('replaceOne' in operation) {
    const { filter, replacement, upsert } = operation.replaceOne;
    const id = onlyId(filter);
    if (id === undefined || !upsert) return undefined;
    if (replacement._id === undefined) return { kind: 'replace', id, doc: { ...replacement, _id: id } };
    return replacement._id === id ? { kind: 'replace', id, doc: replacement } : undefined;
  }
  if ('updateOne' in operation) {
    const { filter, update, upsert } = operation.updateOne;
    const id = idOf(filter);
    if (id === undefined) return undefined;
    const conditions = conditionsOf(filter);
    if (!conditions) return undefined;
    const fields = setFields(update);
    if (!fields) return undefined;
    return { kind: 'set', id, conditions, ...fields, upsert: upsert ?? false };
  }
  if ('deleteOne' in operation) {
    const id = onlyId(operation.deleteOne.filter);
    return id === undefined ? undefined : { kind: 'delete', id };
  }
  return undefined;
}

/**
 * Whether `doc` meets every condition, as Mongo would judge it; undefined when a field holds
 * an array or a document, where Mongo's rules (any element matches) are left to mingo.
 */
export function meetsConditions(doc: Document, conditions: readonly Condition[]): boolean | undefined {
  for (const { field, operator, value } of conditions) {
    const actual = Object.hasOwn(doc, field) ? doc[field] : undefined;
    if (typeof actual === 'object' && actual !== null) return undefined;
    let met: boolean;
    if (operator === '$eq') met = value === null ? actual === null || actual === undefined : actual === value;
    // A range compares within its bound's type only (`$lt: 4` matches numbers).
    else if (typeof actual !== typeof value) met = false;
    else if (operator === '$lt') met = (actual as string | number) < (value as string | number);
    else if (operator === '$lte') met = (actual as string | number) <= (value as string | number);
    else if (operator === '$gt') met = (actual as string | number) > (value as string | number);
    else met = (actual as string | number) >= (value as string | number);
    if (!met) return false;
  }
  return true;
}

/** The `_id` of a filter that is `{ _id: <string or number> }` and nothing else. */
function onlyId(filter: Filter): DocId | undefined {
  let id: DocId | undefined;
  for (const key in filter) {
    if (key !== '_id') return undefined;
    id = asId(filter[key]);
  }
  return id;
}

function idOf(filter: Filter): DocId | undefined {
  return Object.hasOwn(filter, '_id') ? asId(filter._id) : undefined;
}

function asId(value: unknown): DocId | undefined {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? value : undefined;
}

/** The conditions of a filter beside its `_id`; undefined when one is not of a simple kind. */
function conditionsOf(filter: Filter): Condition[] | undefined {
  const conditions: Condition[] = [];
  for (const field in filter) {
    if (field === '_id') continue;
    if (!isTopLevel(field)) return undefined;
    const condition = filter[field];
    if (isEqualityScalar(condition)) {
      conditions.push({ field, operator: '$eq', value: condition });
      continue;
    }
    if (!isPlainObject(condition)) return undefined;
    let any = false;
    for (const operator in condition) {
      const value = condition[operator];
      if (operator === '$eq' && isEqualityScalar(value)) conditions.push({ field, operator, value });
      else if ((operator === '$lt' || operator === '$lte' || operator === '$gt' || operator === '$gte') && isBound(value))
        conditions.push({ field, operator, value });
      else return undefined;
      any = true;
    }
    if (!any) return undefined;
  }
  return conditions;
}

/** `$set`, `$setOnInsert` and `$addToSet` (of a string or a number) of top-level fields, nothing else; undefined otherwise. */
function setFields(update: Update):
  | {
      set: Record<string, unknown> | undefined;
      onInsert: Record<string, unknown> | undefined;
      addToSet: Record<string, string | number> | undefined;
    }
  | undefined {
  let set: Record<string, unknown> | undefined;
  let onInsert: Record<string, unknown> | undefined;
  let addToSet: Record<string, string | number> | undefined;
  for (const operator in update) {
    const fields = update[operator];
    if ((operator !== '$set' && operator !== '$setOnInsert' && operator !== '$addToSet') || !isPlainObject(fields)) return undefined;
    for (const field in fields) if (field === '_id' || !isTopLevel(field) || fields[field] === undefined) return undefined;
    if (operator === '$set') set = fields;
    else if (operator === '$setOnInsert') onInsert = fields;
    else if (Object.values(fields).every(isBound)) addToSet = fields as Record<string, string | number>;
    else return undefined; // `$each`, documents, arrays: mingo's
  }
  if (!set && !onInsert && !addToSet) return undefined;
  // What Mongo refuses (a field in two operators) is refused as the general path refuses it.
  checkUpdate(update);
  return {
    set: set && Object.keys(set).length > 0 ? set : undefined,
    onInsert,
    addToSet: addToSet && Object.keys(addToSet).length > 0 ? addToSet : undefined,
  };
}

/**
 * Adds each of `addToSet` to the array at its field of `doc` (a new array when the field is
 * missing); false, changing nothing, when a field holds something else than an array (Mongo
 * refuses it: the general path says so).
 */
export function addToSets(doc: Document, addToSet: Record<string, string | number>): boolean {
  for (const field in addToSet) {
    const current = Object.hasOwn(doc, field) ? doc[field] : undefined;
    if (current !== undefined && !Array.isArray(current)) return false;
  }
  for (const field in addToSet) {
    const value = addToSet[field] as string | number;
    const current = doc[field] as unknown[] | undefined;
    if (current === undefined) doc[field] = [value];
    else if (!current.includes(value)) current.push(value);
  }
  return true;
}

function isTopLevel(field: string): boolean {
  return field.length > 0 && !field.includes('.') && !field.startsWith('$');
}

function isEqualityScalar(value: unknown): value is string | number | boolean | null {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function isBound(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
