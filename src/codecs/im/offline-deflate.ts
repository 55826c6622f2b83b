import { constants, deflateRawSync, type ZlibOptions } from 'node:zlib';

/** Larger segments compress better; smaller ones are likelier to come out free of CR LF on the first try. */
const SEGMENT_BYTES = 16 * 1024;

/**
 * Tried in order on each segment until one comes out without CR LF. The last, level 0 (a stored
 * block), always works on one byte: `00 01 00 FE FF b` then `00 00 FF FF`, where a CR is
 * followed by 00 and an LF preceded by FF.
 */
const ATTEMPTS: readonly ZlibOptions[] = [
  { level: 6 },
  { level: 9 },
  { level: 1 },
  { level: 6, memLevel: 9 },
  { level: 6, strategy: constants.Z_FIXED },
  { level: 6, strategy: constants.Z_HUFFMAN_ONLY },
  { level: 6, strategy: constants.Z_RLE },
  { level: 0 },
];

/** BFINAL = 1, BTYPE = 01 (fixed Huffman), then the end-of-block code: the empty final block. */
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);

const CRLF = Buffer.from('\r\n');

/**
 * Raw DEFLATE (no zlib or gzip header) whose bytes never contain CR LF: simple_im's client
 * splits the `GET /offline` body on CR LF into exactly two parts and inflates the second.
 *
 * The input is compressed in independent segments, each ended with a full flush: it ends
 * byte-aligned on the empty stored block `00 00 FF FF` and refers to no earlier segment. A
 * segment is compressed with the first option set that gives no CR LF, or cut in two when none
 * does; one byte always has one (see ATTEMPTS). Two segments cannot make a CR LF where they
 * meet, since each ends with FF, and the final empty block `03 00` cannot either. The empty
 * input gives `03 00`, as zlib's own deflate of nothing.
 */
export function deflateWithoutCrLf(input: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let start = 0; start < input.length; start += SEGMENT_BYTES) {
    encodeSegment(input.subarray(start, start + SEGMENT_BYTES), parts);
  }
  parts.push(FINAL_EMPTY_BLOCK);
  return Buffer.concat(parts);
}

function encodeSegment(segment: Buffer, parts: Buffer[]): void {
  const encoded = segmentWithoutCrLf(segment);
  if (encoded) {
    parts.push(encoded);
    return;
  }
  if (segment.length <= 1) throw new Error('unreachable: a single byte always has a stored form without CR LF');
  const half = segment.length >> 1;
  encodeSegment(segment.subarray(0, half), parts);
  encodeSegment(segment.subarray(half), parts);
}

/** The segment compressed with the first option set that leaves no CR LF; null when none does. */
export function segmentWithoutCrLf(segment: Buffer): Buffer | null {
  for (const options of ATTEMPTS) {
    const encoded = deflateRawSync(segment, { ...options, finishFlush: constants.Z_FULL_FLUSH });
    if (!encoded.includes(CRLF)) return encoded;
  }
  return null;
}
