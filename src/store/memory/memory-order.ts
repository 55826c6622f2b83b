/**
 * MongoDB's comparison order for the values the memory read store holds, so that its
 * indexes, range scans and sorts agree with the Mongo adapter: values of different types
 * order by type (empty array < null/missing < numbers < strings < objects < arrays <
 * binary < booleans < dates < regexes), then by value within the type.
 */

/** Stands for an empty array in index keys and sort keys: Mongo sorts `[]` before null. */
export const EMPTY_ARRAY = Symbol('empty array');

const enum Rank {
  EmptyArray = 0,
  Null = 1,
  Number = 2,
  String = 3,
  Object = 4,
  Array = 5,
  Binary = 6,
  Other = 7,
  Boolean = 8,
  Date = 9,
  RegExp = 11,
}

export function typeRank(value: unknown): number {
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return Rank.Number;
    case 'string':
      return Rank.String;
    case 'boolean':
      return Rank.Boolean;
    case 'undefined':
      return Rank.Null;
    case 'symbol':
      return value === EMPTY_ARRAY ? Rank.EmptyArray : Rank.Other;
    case 'object':
      return objectRank(value);
    default:
      return Rank.Other;
  }
}

function objectRank(value: object | null): number {
  if (value === null) return Rank.Null;
  if (Array.isArray(value)) return Rank.Array;
  if (value instanceof Date) return Rank.Date;
  if (value instanceof RegExp) return Rank.RegExp;
  if (value instanceof Uint8Array) return Rank.Binary;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null ? Rank.Object : Rank.Other;
}

/** Negative, zero or positive as `a` orders before, with or after `b`. */
export function compareValues(a: unknown, b: unknown): number {
  // Index keys are mostly numbers or strings of one type: settled before ranking types.
  if (typeof a === 'number' && typeof b === 'number') {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0; // otherwise a NaN: ranked below the numbers further down
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const rank = typeRank(a);
  const other = typeRank(b);
  if (rank !== other) return rank < other ? -1 : 1;
  switch (rank) {
    // The casts below are safe: equal ranks mean equal types.
    case Rank.Number:
      return compareNumbers(a as number, b as number);
    case Rank.String:
      return compareStrings(a as string, b as string);
    case Rank.Boolean:
      return a === b ? 0 : a ? 1 : -1;
    case Rank.Date:
      return compareNumbers((a as Date).getTime(), (b as Date).getTime());
    case Rank.Object:
      return compareObjects(a as Record<string, unknown>, b as Record<string, unknown>);
    case Rank.Array:
      return compareArrays(a as unknown[], b as unknown[]);
    case Rank.Null:
    case Rank.EmptyArray:
      return 0;
    default:
      return compareStrings(String(a), String(b));
  }
}

/** NaN orders below every other number, as in Mongo. */
function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a == b) return 0; // loose on purpose: 1n == 1
  const aNaN = Number.isNaN(a);
  return aNaN === Number.isNaN(b) ? 0 : aNaN ? -1 : 1;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Field by field in document order (name, then value), then the shorter first. */
function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  const common = Math.min(aKeys.length, bKeys.length);
  for (let i = 0; i < common; i++) {
    const aKey = aKeys[i] as string;
    const bKey = bKeys[i] as string;
    const byName = compareStrings(aKey, bKey);
    if (byName !== 0) return byName;
    const byValue = compareValues(a[aKey], b[bKey]);
    if (byValue !== 0) return byValue;
  }
  return aKeys.length - bKeys.length;
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    const byElement = compareValues(a[i], b[i]);
    if (byElement !== 0) return byElement;
  }
  return a.length - b.length;
}
