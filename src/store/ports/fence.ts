import type { Document } from './read-store.js';

/**
 * Whether a fence document still is as its writer read it (FencedBatch): absent when `from`
 * is null, else with every field of `from` equal (as JSON: fences hold plain data), as a
 * MongoDB filter of equalities on those fields would match it.
 */
export function fenceHolds(stored: Readonly<Document> | null, from: Document | null): boolean {
  if (from === null) return stored === null;
  if (stored === null) return false;
  return Object.entries(from).every(([field, value]) => JSON.stringify(stored[field]) === JSON.stringify(value));
}
