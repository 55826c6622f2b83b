import { expect } from 'chai';
import { newDataKey } from '../../../src/store/crypto/personal-data-cipher.js';
import { openX, sealX, subkey } from '../../../src/store/crypto/xchacha-cipher.js';

describe('XChaCha20-Poly1305 cipher (libsodium)', () => {
  const key = newDataKey();
  const plaintext = Buffer.from('"meet me at the old mill"');
  const context = Buffer.from('user-1');

  it('opens what it sealed, with a fresh 24-byte nonce each time', () => {
    const once = sealX(key, plaintext, context);
    const twice = sealX(key, plaintext, context);
    expect(once.subarray(0, 24).equals(twice.subarray(0, 24)), 'the same nonce twice').to.equal(false);
    expect(once.length).to.equal(24 + plaintext.length + 16);
    expect(openX(key, once, context).equals(plaintext)).to.equal(true);
    expect(once.includes(plaintext)).to.equal(false);
  });

  it('refuses a changed byte anywhere (nonce, ciphertext, tag), and bytes too short to hold a nonce and a tag', () => {
    const sealed = sealX(key, plaintext, context);
    for (const at of [0, 23, 24, sealed.length - 17, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[at]! ^= 1;
      expect(() => openX(key, tampered, context), `byte ${at}`).to.throw();
    }
    expect(() => openX(key, sealed.subarray(0, 39), context)).to.throw('too short');
  });

  it("refuses another person's key, and a value moved to another context", () => {
    const sealed = sealX(key, plaintext, context);
    expect(() => openX(newDataKey(), sealed, context)).to.throw();
    expect(() => openX(key, sealed, Buffer.from('user-2'))).to.throw();
  });

  it('derives a key of its own per context, the same each time', () => {
    expect(Buffer.from(subkey(key, 'eschatv2')).equals(Buffer.from(subkey(key, 'eschatv2')))).to.equal(true);
    expect(Buffer.from(subkey(key, 'eschatv2')).equals(key)).to.equal(false);
    expect(Buffer.from(subkey(key, 'eschatv2')).equals(Buffer.from(subkey(key, 'eschatv3')))).to.equal(false);
  });
});
