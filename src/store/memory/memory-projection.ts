import { Context } from 'mingo/core';
import * as expressionOperators from 'mingo/operators/expression';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import { Query } from 'mingo/query';
import { copyPlain } from './memory-copy.js';
import type { Document, ProjectionSpec } from '../ports/read-store.js';
import { topLevelPicker } from '../ports/top-level-projection.js';

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
  const pick = topLevelPicker(projection);
  if (pick) return docs.map((doc) => copyPlain(pick(doc)));
  return MATCH_ALL.find<Document>(docs, projection).all().map(copyPlain);
}
