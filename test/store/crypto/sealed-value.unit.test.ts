import { expect } from 'chai';
import { newDataKey, seal } from '../../../src/store/crypto/personal-data-cipher.js';
import { openValueText, sealValue } from '../../../src/store/crypto/sealed-value.js';
import { sealX } from '../../../src/store/crypto/xchacha-cipher.js';

describe('sealed values', () => {
  const key = newDataKey();

  it('seals with XChaCha20-Poly1305, marked, and opens to the JSON of the value', () => {
    const sealed = sealValue(key, 7, 'text', 'hello, 7');
    expect(sealed.$enc.startsWith('x:')).to.equal(true);
    expect(openValueText(key, 7, 'text', sealed)).to.equal('"hello, 7"');
  });

  it('opens a value sealed before with AES-256-GCM under the data key (no mark)', () => {
    const legacy = { $enc: seal(key, Buffer.from('"from an older log"'), 'eschat/value/user-7/text').toString('base64') };
    expect(openValueText(key, 7, 'text', legacy)).to.equal('"from an older log"');
    expect(() => openValueText(key, 8, 'text', legacy)).to.throw();
  });

  it('refuses a value moved to another person or field, or opened with another key', () => {
    const sealed = sealValue(key, 7, 'text', 'hello, 7');
    expect(() => openValueText(key, 8, 'text', sealed)).to.throw();
    expect(() => openValueText(key, 7, 'name', sealed)).to.throw();
    expect(() => openValueText(newDataKey(), 7, 'text', sealed)).to.throw();
  });

  it('seals with a key derived from the data key, not the data key itself', () => {
    const underDataKey = { $enc: `x:${sealX(key, Buffer.from('"x"'), Buffer.from('eschat/value/user-7/text')).toString('base64')}` };
    expect(() => openValueText(key, 7, 'text', underDataKey)).to.throw();
  });
});
