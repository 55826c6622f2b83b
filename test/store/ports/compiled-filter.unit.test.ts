import { expect } from 'chai';
import { Context } from 'mingo/core';
import * as queryOperators from 'mingo/operators/query';
import { Query } from 'mingo/query';
import { compileFilter, simpleFilter } from '../../../src/store/ports/compiled-filter.js';
import type { Document, Filter } from '../../../src/store/ports/read-store.js';
import { seededRandom } from '../../codecs/im/random.js';

const MINGO = { context: Context.init({ query: queryOperators }) };

describe('compiled filters', function () {
  it('tests the filters projections write without mingo', function () {
    for (const filter of [{ sessionId: 'a' }, { _id: 'a:b', version: { $lt: 7 } }, { room: 3, leftAt: null }, {}]) {
      expect(simpleFilter(filter), JSON.stringify(filter)).to.not.equal(undefined);
    }
    for (const filter of [
      { 'a.b': 1 },
      { a: { $in: [1] } },
      { $or: [{ a: 1 }] },
      { a: { $gt: 1, $size: 2 } },
      { a: {} },
      { a: [1] },
      { a: NaN },
    ]) {
      expect(simpleFilter(filter), JSON.stringify(filter)).to.equal(undefined);
    }
  });

  it('answers as mingo does, whatever the documents hold (random filters and documents)', function () {
    const random = seededRandom(20261121);
    const operands: unknown[] = [null, 0, 1, 2.5, -1, 'a', 'b', '1', true, false];
    const values: unknown[] = [
      ...operands,
      undefined,
      NaN,
      [],
      [1],
      ['a', 1],
      [null],
      [[1]],
      ['1', 2.5, true],
      [{ x: 1 }, 'b'],
      { x: 1 },
      new Date(0),
    ];
    const operators = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte'];
    let decided = 0;
    for (let round = 0; round < 3000; round++) {
      const filter: Filter = {};
      for (const field of ['a', 'b']) {
        if (random.int(3) === 0) continue;
        filter[field] = random.int(2) === 0 ? random.pick(operands) : { [random.pick(operators)]: random.pick(operands) };
      }
      const doc: Document = { _id: round };
      for (const field of ['a', 'b']) {
        const value = random.pick(values);
        if (value !== undefined) doc[field] = value;
      }
      const simple = simpleFilter(filter);
      expect(simple, JSON.stringify(filter)).to.not.equal(undefined);
      const expected = new Query(filter, MINGO).test(doc);
      expect(simple?.test(doc), `${JSON.stringify(filter)} on ${String(doc['a'])}, ${String(doc['b'])}`).to.equal(expected);
      if (expected) decided++;
    }
    // Both answers occur, so that the comparison means something.
    expect(decided).to.be.within(300, 2700);
  });

  it('compiles other filters with mingo', function () {
    const query = compileFilter({ tags: { $in: ['x'] }, 'profile.name': 'ann' });
    expect(query.test({ _id: 1, tags: ['x', 'y'], profile: { name: 'ann' } })).to.equal(true);
    expect(query.test({ _id: 2, tags: ['y'], profile: { name: 'ann' } })).to.equal(false);
  });
});
