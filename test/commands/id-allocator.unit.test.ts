import { expect } from 'chai';
import { IdAllocator } from '../../src/commands/id-allocator.js';

describe('IdAllocator', () => {
  it('hands out ids after the highest a read model knows, asking it once', async () => {
    let asked = 0;
    const ids = new IdAllocator(async () => (asked++, 41));
    expect([await ids.next(), await ids.next()]).to.deep.equal([42, 43]);
    expect(asked).to.equal(1);
  });

  it('asks again after a conflict, and never moves back when the read model lags behind what it offered', async () => {
    let known = 5;
    const ids = new IdAllocator(async () => known);
    expect(await ids.next()).to.equal(6);
    ids.conflicted(); // another process took 6; the read model has not seen it yet
    expect(await ids.next()).to.equal(7);
    known = 20; // it has caught up with another process's ids
    ids.conflicted();
    expect(await ids.next()).to.equal(21);
  });
});
