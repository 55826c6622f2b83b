import { expect } from 'chai';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { deflateWithoutCrLf, segmentWithoutCrLf } from '../../../src/codecs/im/offline-deflate.js';
import { seededRandom, type Random } from './random.js';

const CRLF = Buffer.from('\r\n');

/** What simple_im's client does: the bytes must inflate back, with no CR LF anywhere in them. */
function roundTrip(input: Buffer): Buffer {
  const encoded = deflateWithoutCrLf(input);
  expect(encoded.includes(CRLF), `CR LF in the deflate of ${input.length} bytes`).to.equal(false);
  expect(inflateRawSync(encoded).equals(input), `round trip of ${input.length} bytes`).to.equal(true);
  return encoded;
}

const bytes = (random: Random, length: number, alphabet?: readonly number[]): Buffer =>
  Buffer.from(Array.from({ length }, () => (alphabet ? random.pick(alphabet) : random.int(256))));

const frame = (random: Random, n: number): string =>
  `[[m]] id = "msg_id_${random.int(1e9)}" t = "text" c = "hello ${n} ${'x'.repeat(random.int(200))}" to = ${random.int(1e6)} from = ${random.int(1e6)} d = "android" ts = ${1_700_000_000 + n} mid = ${n} cursor = ${n}\r\n`;

describe('raw DEFLATE without CR LF (GET /offline)', () => {
  it('gives the deflate of the empty input for nothing: 03 00, as zlib does', () => {
    expect(deflateWithoutCrLf(Buffer.alloc(0))).to.deep.equal(deflateRawSync(Buffer.alloc(0)));
    roundTrip(Buffer.alloc(0));
  });

  it('has a form without CR LF for every single byte value', () => {
    for (let value = 0; value < 256; value++) {
      const encoded = segmentWithoutCrLf(Buffer.from([value]));
      expect(encoded, `byte ${value}`).to.not.equal(null);
      expect(encoded!.includes(CRLF)).to.equal(false);
      // A segment ends on a flush, not a final block: the stream's end is added by deflateWithoutCrLf.
      expect(inflateRawSync(Buffer.concat([encoded!, Buffer.from([3, 0])])).equals(Buffer.from([value]))).to.equal(true);
    }
  });

  it('round-trips random bytes of many lengths', () => {
    const random = seededRandom(13);
    for (let i = 0; i < 300; i++) roundTrip(bytes(random, random.int(i < 200 ? 300 : 40_000)));
  });

  it('round-trips bodies of frames, each followed by CR LF, small and large', () => {
    const random = seededRandom(7);
    for (const count of [1, 2, 10, 150, 1000, 5000]) {
      const body = Buffer.from(Array.from({ length: count }, (_, n) => frame(random, n)).join(''));
      roundTrip(body);
    }
  });

  it('round-trips adversarial inputs made of CR and LF, and inputs whose plain deflate has CR LF', () => {
    const random = seededRandom(99);
    for (let i = 0; i < 200; i++) roundTrip(bytes(random, random.int(5000), [0x0d, 0x0a]));
    roundTrip(Buffer.from('\r\n'.repeat(100_000)));
    roundTrip(Buffer.from('\r'.repeat(70_000)));
    roundTrip(Buffer.from('\n'.repeat(70_000)));
    roundTrip(Buffer.alloc(100_000, 0xff));
    let found = 0;
    for (let i = 0; found < 20 && i < 20_000; i++) {
      const input = bytes(random, 64 + random.int(2000));
      if (!deflateRawSync(input).includes(CRLF)) continue;
      found++;
      roundTrip(input);
    }
    expect(found, 'inputs whose ordinary raw deflate contains CR LF').to.equal(20);
  });
});
