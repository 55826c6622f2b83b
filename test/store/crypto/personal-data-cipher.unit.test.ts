import { expect } from 'chai';
import { newDataKey, open, seal } from '../../../src/store/crypto/personal-data-cipher.js';

describe('personal data cipher (AES-256-GCM)', () => {
  const key = newDataKey();
  const plaintext = Buffer.from('"meet me at the old mill"');

  it('opens what it sealed, with a fresh IV each time', () => {
    const once = seal(key, plaintext, 'user-1');
    const twice = seal(key, plaintext, 'user-1');
    expect(once.equals(twice), 'the same value seals differently').to.equal(false);
    expect(open(key, once, 'user-1').equals(plaintext)).to.equal(true);
    expect(once.includes(plaintext)).to.equal(false);
  });

  it('refuses a changed byte anywhere (IV, tag, ciphertext)', () => {
    const sealed = seal(key, plaintext, 'user-1');
    for (const at of [0, 12, 28, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[at]! ^= 1;
      expect(() => open(key, tampered, 'user-1'), `byte ${at}`).to.throw();
    }
    expect(() => open(key, sealed.subarray(0, 10), 'user-1')).to.throw();
  });

  it("refuses another person's key, and a value moved to another person", () => {
    const sealed = seal(key, plaintext, 'user-1');
    expect(() => open(newDataKey(), sealed, 'user-1')).to.throw();
    expect(() => open(key, sealed, 'user-2')).to.throw();
  });
});
