import type { UserId } from '../../events/recorded-event.js';
import { open, seal } from './personal-data-cipher.js';
import { openX, sealX, subkey } from './xchacha-cipher.js';

/** How a sealed value is stored in place of the plaintext: distinct from any plaintext value an event carries. */
export interface SealedValue {
  $enc: string;
}

export function isSealed(value: unknown): value is SealedValue {
  return typeof value === 'object' && value !== null && '$enc' in value && typeof value.$enc === 'string';
}

/**
 * The mark of a value sealed with XChaCha20-Poly1305 (`x:<base64>`). A value without it (base64
 * has no colon) was sealed with AES-256-GCM under the data key itself, as eschat did before, and
 * is opened so.
 */
const XCHACHA = 'x:';

/** The associated data of a value: it binds the ciphertext to its person and field. */
const gcmContext = (subject: UserId, field: string) => `eschat/value/user-${subject}/${field}`;
const valueContext = (subject: UserId, field: string) => Buffer.from(gcmContext(subject, field), 'utf8');

/**
 * The key values are sealed with, derived from the person's data key: that one has opened AES-GCM
 * values, and a key serves one algorithm. Kept beside the data key's bytes while those are in
 * memory (the key caches hold each person's as one object).
 */
const valueKeys = new WeakMap<Buffer, Uint8Array>();
function valueKey(key: Buffer): Uint8Array {
  let derived = valueKeys.get(key);
  if (derived === undefined) valueKeys.set(key, (derived = subkey(key, 'eschatv2')));
  return derived;
}

/**
 * What new values are sealed with: XChaCha20-Poly1305, or AES-256-GCM as versions before it did
 * (which those versions can read: for the time processes of both share a log). Both are read.
 */
export type ValueCipher = 'xchacha20-poly1305' | 'aes-256-gcm';

export function sealValue(
  key: Buffer,
  subject: UserId,
  field: string,
  value: unknown,
  cipher: ValueCipher = 'xchacha20-poly1305',
): SealedValue {
  const plaintext = Buffer.from(JSON.stringify(value), 'utf8');
  if (cipher === 'aes-256-gcm') return { $enc: seal(key, plaintext, gcmContext(subject, field)).toString('base64') };
  return { $enc: XCHACHA + sealX(valueKey(key), plaintext, valueContext(subject, field)).toString('base64') };
}

/** The JSON text of the value sealed; throws when it does not authenticate (changed, moved, another key). */
export function openValueText(key: Buffer, subject: UserId, field: string, value: SealedValue): string {
  const sealed = value.$enc;
  if (sealed.startsWith(XCHACHA))
    return openX(valueKey(key), Buffer.from(sealed.slice(XCHACHA.length), 'base64'), valueContext(subject, field)).toString('utf8');
  return open(key, Buffer.from(sealed, 'base64'), gcmContext(subject, field)).toString('utf8');
}
