import { Context } from 'mingo/core';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import { Query } from 'mingo/query';
import { update as mingoUpdate, type Modifier } from 'mingo/updater';
import type { Document, ProjectionSpec, SortSpec, Update } from '../ports/read-store.js';
import { topLevelPicker } from '../ports/top-level-projection.js';
import { valueAt } from './sqlite-read-index.js';

/**
 * Mongo semantics for the SQLite read store, by mingo: sorts that SQL cannot do, projections,
 * and update operators (filters: store/ports/compiled-filter.ts). Documents
 * reach mingo freshly parsed from their JSON, so mingo may change them in place.
 *
 * mingo copies its operator context into every Query; the default context (every operator)
 * makes that slow, so the context holds only what filters, projections and cursors use.
 */
const OPTIONS = {
  context: Context.init({
    query: queryOperators,
    projection: projectionOperators,
    expression: expressionOperators,
    pipeline: pipelineOperators,
  }),
};

const MATCH_ALL = new Query({}, OPTIONS);

/** Sorted (in Mongo's order across types), skipped, limited: what SQL cannot order for `sort`. */
export function sortDocuments(docs: Document[], sort: SortSpec, skip: number, limit: number | undefined): Document[] {
  let cursor = MATCH_ALL.find<Document>(docs).sort(sort).skip(skip);
  if (limit !== undefined && limit > 0) cursor = cursor.limit(limit);
  return cursor.all();
}

/** `docs` reduced to `projection`, by inclusion or exclusion, with `_id` unless excluded. */
export function projectDocuments(docs: Document[], projection: ProjectionSpec | undefined): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  const pick = topLevelPicker(projection);
  return pick ? docs.map(pick) : MATCH_ALL.find<Document>(docs, projection).all();
}

/**
 * Applies `update` to `doc` in place; `inserting` says whether an upsert is creating it,
 * which is when `$setOnInsert` applies. The caller compares JSON texts to see whether it
 * changed.
 */
export function applyUpdate(doc: Document, update: Update, inserting: boolean): void {
  const { $setOnInsert: onInsert, ...modifier } = update;
  checkNumeric(doc, modifier.$inc);
  // The port's Update is the Mongo update document mingo's Modifier describes.
  if (Object.keys(modifier).length > 0) mingoUpdate(doc, modifier as Modifier<Document>, undefined, undefined, { cloneMode: 'none' });
  if (inserting && onInsert) mingoUpdate(doc, { $set: onInsert } as Modifier<Document>, undefined, undefined, { cloneMode: 'none' });
}

/** Mongo refuses `$inc` on a field that holds something else than a number; mingo would not. */
function checkNumeric(doc: Document, fields: unknown): void {
  if (typeof fields !== 'object' || fields === null) return;
  for (const [path, amount] of Object.entries(fields)) {
    if (typeof amount !== 'number') throw new Error(`Cannot increment with non-numeric argument: ${String(amount)}`);
    const current = valueAt(doc, path);
    if (current !== undefined && typeof current !== 'number') throw new Error(`Cannot apply $inc to the non-numeric field '${path}'`);
  }
}

/** The document an upsert starts from: the filter's equality fields (upsert-seed.ts), `_id` first as Mongo puts it. */
export function seedDocument(fields: ReadonlyArray<[path: string, value: unknown]>): Document {
  const id = fields.find(([path]) => path === '_id');
  const doc = (id ? { _id: id[1] } : {}) as Document;
  const rest = fields.filter(([path]) => path !== '_id');
  if (rest.length > 0)
    mingoUpdate(doc, { $set: Object.fromEntries(rest) } as Modifier<Document>, undefined, undefined, { cloneMode: 'deep' });
  return doc;
}
