import { expect } from 'chai';
import { Query } from 'mingo';
import type { Document, ProjectionSpec } from '../../../src/store/ports/read-store.js';
import { projectDocuments } from '../../../src/store/sqlite/sqlite-read-mingo.js';

describe('SQLite read store projections', () => {
  const docs = (): Document[] => [
    { _id: 1, name: 'ann', login: 'ann', phone: null, nested: { a: 1, b: 2 }, list: [1, 2] },
    { login: 'bob', _id: 2, name: 'bob' },
    { _id: 3 },
  ];
  const projections: ProjectionSpec[] = [
    { name: 1, login: 1 },
    { login: 1, name: 1 },
    { name: 1, _id: 0 },
    { _id: 1 },
    { _id: 0 },
    { name: 0 },
    { name: 0, _id: 0 },
    { phone: 1, missing: 1 },
    { 'nested.a': 1 },
    { 'nested.a': 0, list: 0 },
  ];

  for (const projection of projections) {
    it(`projects ${JSON.stringify(projection)} as mingo does, its fields in the document's order as MongoDB's`, () => {
      const expected = new Query({}).find<Document>(docs(), projection).all();
      const actual = projectDocuments(docs(), projection);
      expect(actual).to.deep.equal(expected);
      // Paths are mingo's to project (its order: `_id` last); top-level fields are picked in place.
      if (Object.keys(projection).some((key) => key.includes('.'))) return;
      actual.forEach((doc, i) => {
        const order = Object.keys(docs()[i]!);
        expect(Object.keys(doc)).to.deep.equal(order.filter((key) => key in doc));
      });
    });
  }
});
