import { expect } from 'chai';
import { RandomNonces } from '../../../src/store/crypto/random-nonces.js';

describe('RandomNonces', () => {
  it('gives nonces of its length, none repeated, across the batches it draws', () => {
    const nonces = new RandomNonces(24);
    const seen = new Set<string>();
    // Three batches and a half: each new batch is drawn whole, not the rest of the one before.
    for (let i = 0; i < 3584; i++) {
      const nonce = nonces.next();
      expect(nonce.length).to.equal(24);
      seen.add(nonce.toString('hex'));
    }
    expect(seen.size).to.equal(3584);
  });
});
