import type { ByteRange } from '../store/ports/media-store.js';

/** What a `Range` header asks of a file: all of it, one stretch, or something it does not have. */
export type RangeRequest = { kind: 'whole' } | ({ kind: 'part' } & ByteRange) | { kind: 'unsatisfiable' };

const WHOLE: RangeRequest = { kind: 'whole' };

/**
 * Reads one `bytes=` range of a file of `size` bytes: `first-last`, `first-` or `-suffix`.
 * Several ranges, another unit, or a header that does not parse are answered with the whole
 * file, as RFC 9110 allows; a range that starts past the end or ends before it starts is
 * unsatisfiable (416).
 */
export function requestedRange(header: string | undefined, size: number): RangeRequest {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return WHOLE;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return WHOLE;
  if (first === '') {
    const suffix = Number(last);
    return suffix === 0 || size === 0 ? { kind: 'unsatisfiable' } : { kind: 'part', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (start >= size || end < start) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end: Math.min(end, size - 1) };
}
