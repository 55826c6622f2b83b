import { expect } from 'chai';
import { RecentlySealed } from '../../../src/store/crypto/recently-sealed.js';

describe('RecentlySealed', () => {
  it('answers a sealed text once, and only for the person and field it was sealed for', () => {
    const recent = new RecentlySealed();
    recent.remember('s1', 1, 'text', 'hello');
    expect(recent.take('s1', 2, 'text')).to.equal(undefined);
    expect(recent.take('s1', 1, 'name')).to.equal(undefined);
    expect(recent.take('s1', 1, 'text')).to.deep.equal({ value: 'hello' });
    expect(recent.take('s1', 1, 'text')).to.equal(undefined);
  });

  it('keeps no objects, drops the oldest past its capacity, and forgets on request', () => {
    const recent = new RecentlySealed(2);
    recent.remember('o', 1, 'f', { a: 1 });
    expect(recent.size).to.equal(0);
    recent.remember('a', 1, 'f', 'A');
    recent.remember('b', 1, 'f', 'B');
    recent.remember('c', 1, 'f', 'C');
    expect(recent.take('a', 1, 'f')).to.equal(undefined);
    recent.forget('b');
    expect(recent.take('b', 1, 'f')).to.equal(undefined);
    expect(recent.take('c', 1, 'f')).to.deep.equal({ value: 'C' });
  });
});
