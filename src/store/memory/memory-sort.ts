import { compareValues } from './memory-order.js';
import { pathValues } from './memory-paths.js';
import type { Document, SortSpec } from '../ports/read-store.js';

/**
 * Sorts documents as Mongo does: key by key, values in Mongo's cross-type order, an array
 * standing for its smallest element in an ascending sort and its largest in a descending
 * one. Stable, so documents with equal keys keep their order.
 */
export function sortDocuments(docs: readonly Document[], sort: SortSpec): Document[] {
  const keys = Object.entries(sort);
  const keyed = docs.map((doc) => ({ doc, values: keys.map(([path, direction]) => sortKey(doc, path, direction)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const order = compareValues(a.values[i], b.values[i]);
      if (order !== 0) return order * (keys[i]?.[1] ?? 1);
    }
    return 0;
  });
  return keyed.map(({ doc }) => doc);
}

function sortKey(doc: Document, path: string, direction: 1 | -1): unknown {
  const values = pathValues(doc, path); // sorted when there are several
  return direction === 1 ? values[0] : values[values.length - 1];
}
