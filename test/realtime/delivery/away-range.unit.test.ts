import { expect } from 'chai';
import { above, inAway, withRange } from '../../../src/realtime/delivery/away-range.js';

describe('away ranges', () => {
  it('adds a range after the others, joined to the last when they touch', () => {
    const one = withRange(undefined, { after: 0, upTo: 5 });
    expect(withRange(one, { after: 5, upTo: 9 })).to.deep.equal([{ after: 0, upTo: 9 }]);
    const two = withRange(one, { after: 7, upTo: 9 });
    expect(two).to.deep.equal([
      { after: 0, upTo: 5 },
      { after: 7, upTo: 9 },
    ]);
    expect([5, 6, 7, 8, 9].map((position) => inAway(two, position))).to.deep.equal([true, false, false, true, true]);
  });

  it('keeps at most 16, merging the oldest two: what lay between is counted away (served again), never dropped', () => {
    let ranges = withRange(undefined, { after: 0, upTo: 1 });
    for (let n = 1; n < 20; n++) ranges = withRange(ranges, { after: n * 10, upTo: n * 10 + 1 });
    expect(ranges).to.have.length(16);
    for (let n = 0; n < 20; n++) expect(inAway(ranges, n * 10 + 1), `position ${n * 10 + 1}`).to.equal(true);
  });

  it('keeps what is above a position', () => {
    const ranges = [
      { after: 0, upTo: 5 },
      { after: 7, upTo: 9 },
    ];
    expect(above(ranges, 3)).to.deep.equal([
      { after: 3, upTo: 5 },
      { after: 7, upTo: 9 },
    ]);
    expect(above(ranges, 8)).to.deep.equal([{ after: 8, upTo: 9 }]);
    expect(above(ranges, 9)).to.equal(undefined);
  });
});
