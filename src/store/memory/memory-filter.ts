import { Context } from 'mingo/core';
import * as expressionOperators from 'mingo/operators/expression';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import { Query } from 'mingo/query';
import { copyPlain } from './memory-copy.js';
import type { Document, ProjectionSpec } from '../ports/read-store.js';

/**
 * Mongo projections evaluated by mingo for the memory read store (its filters are
 * store/ports/compiled-filter.ts). The context holds only the operators projections use: mingo
 * copies it into every Query it builds.
 */
const OPTIONS = {
  context: Context.init({ query: queryOperators, projection: projectionOperators, expression: expressionOperators }),
};

const MATCH_ALL = new Query({}, OPTIONS);

/** Copies of `docs`, reduced to `projection` (inclusion or exclusion) when there is one. */
export function project(docs: readonly Document[], projection: ProjectionSpec | undefined): Document[] {
  if (!projection || Object.keys(projection).length === 0) return docs.map(copyPlain);
  const pick = pickerFor(projection);
  if (pick) return docs.map(pick);
  return MATCH_ALL.find<Document>(docs, projection).all().map(copyPlain);
}

type Picker = (doc: Document) => Document;

/** Pickers by projection: projections are written in the code, so there are few of them. */
const pickers = new Map<string, Picker | null>();

/**
 * For an inclusion of top-level fields (`{ a: 1, b: 1 }`, with `_id` unless `_id: 0`), the
 * common shape, a function that copies those fields a document has, in order, as Mongo
 * answers; null for any other projection. The function names each field in its code: field
 * by field through a list of names, each read and write goes through V8's slowest
 * (megamorphic, keyed) property access, and the copy cost as much as the whole rest of a
 * contact list request.
 */
function pickerFor(projection: ProjectionSpec): Picker | null {
  const key = JSON.stringify(projection);
  let picker = pickers.get(key);
  if (picker === undefined) pickers.set(key, (picker = compilePicker(projection)));
  return picker;
}

function compilePicker(projection: ProjectionSpec): Picker | null {
  const fields: string[] = projection['_id'] === 0 ? [] : ['_id'];
  for (const [field, value] of Object.entries(projection)) {
    if (field === '_id') continue;
    if (value !== 1 || field.includes('.') || field.startsWith('$') || field === '__proto__') return null;
    fields.push(field);
  }
  if (fields.length === 0) return null;
  // Each name is a JSON string literal in the code: any field name is quoted, none is code.
  const steps = fields.map((field) => {
    const name = JSON.stringify(field);
    return `if (hasOwn(doc, ${name})) picked[${name}] = copy(doc[${name}]);`;
  });
  const body = `return (doc) => { const picked = {}; ${steps.join(' ')} return picked; };`;
  return new Function('hasOwn', 'copy', body)(Object.hasOwn, copyPlain) as Picker;
}
