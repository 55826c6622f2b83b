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

  it('keeps no objects, drops the oldest past its memory budget, and forgets on request', () => {
    // Each entry below costs 64 + 1 + 2 bytes: room for two.
    const recent = new RecentlySealed(140);
    recent.remember('o', 1, 'f', { a: 1 });
    expect(recent.size).to.equal(0);
    recent.remember('a', 1, 'f', 'A');
    recent.remember('b', 1, 'f', 'B');
    recent.remember('c', 1, 'f', 'C');
    expect(recent.take('a', 1, 'f')).to.equal(undefined);
    recent.forget('b');
    expect(recent.take('b', 1, 'f')).to.equal(undefined);
    expect(recent.take('c', 1, 'f')).to.deep.equal({ value: 'C' });
    recent.remember('long', 1, 'f', 'x'.repeat(100));
    expect(recent.size).to.equal(0);
  });

  it('holds the sends a loaded server has in flight: 32,000 short texts', () => {
    const recent = new RecentlySealed();
    const sealed = (i: number): string => `${i}`.padStart(68, 'A');
    for (let i = 0; i < 32_000; i++) recent.remember(sealed(i), 1, 'text', `bench ${i % 500} ${i}`);
    expect(recent.take(sealed(0), 1, 'text')).to.deep.equal({ value: 'bench 0 0' });
    expect(recent.size).to.equal(31_999);
  });

  it('past its budget, drops the oldest down to seven eighths of it, not one entry per insert', () => {
    // Each entry costs 64 + 3 + 2 bytes: sixteen fill the budget.
    const recent = new RecentlySealed(16 * 69);
    const sealed = (i: number): string => `${i}`.padStart(3, '0');
    for (let i = 0; i < 17; i++) recent.remember(sealed(i), 1, 'f', 'x');
    // 17 entries are over; down to 14 (966 bytes <= 7/8 of 1,104): the three oldest went.
    expect(recent.size).to.equal(14);
    expect(recent.take(sealed(2), 1, 'f')).to.equal(undefined);
    expect(recent.take(sealed(3), 1, 'f')).to.deep.equal({ value: 'x' });
  });
});
