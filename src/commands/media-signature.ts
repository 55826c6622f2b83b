import type { MediaUploaded } from '../events/media.js';

export type MediaKind = MediaUploaded['data']['kind'];

/** How many leading bytes tell every format accepted here apart. */
export const SIGNATURE_BYTES = 16;

const matches = (head: Uint8Array, offset: number, bytes: readonly number[]): boolean =>
  bytes.every((byte, i) => head[offset + i] === byte);
const text = (head: Uint8Array, offset: number, ascii: string): boolean => matches(head, offset, [...Buffer.from(ascii, 'latin1')]);

/** `#!AMR` (narrow band) or `#!AMR-WB`: the storage format of simple_im's voice messages. */
function amr(head: Uint8Array): string | null {
  if (text(head, 0, '#!AMR-WB\n')) return 'amr-wb';
  return text(head, 0, '#!AMR\n') ? 'amr' : null;
}

/** The major brand of an ISO media file (MP4, 3GP, M4A): a `ftyp` box at offset 4, the brand after it. */
function isoBrand(head: Uint8Array): string | null {
  return head.length >= 12 && text(head, 4, 'ftyp') ? Buffer.from(head.subarray(8, 12)).toString('latin1') : null;
}

function imageType(head: Uint8Array): string | null {
  if (matches(head, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (matches(head, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (text(head, 0, 'GIF87a') || text(head, 0, 'GIF89a')) return 'image/gif';
  if (text(head, 0, 'RIFF') && text(head, 8, 'WEBP')) return 'image/webp';
  return null;
}

const AUDIO_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ']);

/**
 * The Content-Type of bytes uploaded as `kind`, judged by their signature (what the client
 * says is not trusted), or null when they are not that kind: AMR or MP4/3GP for audio,
 * MP4/3GP for video, PNG, JPEG, GIF or WebP for images.
 */
export function mediaContentType(kind: MediaKind, head: Uint8Array): string | null {
  const brand = isoBrand(head);
  const container = brand === null ? null : brand.startsWith('3g') ? '3gpp' : 'mp4';
  switch (kind) {
    case 'audio': {
      const voice = amr(head);
      if (voice) return `audio/${voice}`;
      return container && `audio/${container}`;
    }
    case 'video':
      return container && `video/${container}`;
    case 'image':
      return imageType(head);
  }
}

/** The kind of bytes uploaded without one: an MP4 is a video unless its brand says audio (M4A). */
export function guessMediaKind(head: Uint8Array): MediaKind | null {
  const brand = isoBrand(head);
  if (amr(head) || (brand !== null && AUDIO_BRANDS.has(brand))) return 'audio';
  if (brand !== null) return 'video';
  return imageType(head) ? 'image' : null;
}
