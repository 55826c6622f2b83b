import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { RandomNonces } from './random-nonces.js';

/**
 * AES-256-GCM from node:crypto (OpenSSL), with a random 96-bit IV per value and a 128-bit tag:
 * what wraps each person's data key with the master key, and what sealed personal values before
 * they were sealed with XChaCha20-Poly1305 (xchacha-cipher.ts; such values are still opened).
 * Associated data binds each ciphertext to its context (the person a value belongs to, or the
 * person a wrapped key is for), so a value moved to another person's event, or a key to another
 * person's row, fails to decrypt rather than reading as theirs. Sealed bytes: IV (12) | tag (16) | ciphertext.
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

const ivs = new RandomNonces(IV_BYTES);

export function seal(key: Buffer, plaintext: Buffer, associated: string): Buffer {
  const iv = ivs.next();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associated, 'utf8'));
  const body = cipher.update(plaintext);
  cipher.final();
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** The plaintext; throws when the bytes were changed, or sealed with another key or for another context. */
export function open(key: Buffer, sealed: Buffer, associated: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(associated, 'utf8'));
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  const plaintext = decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES));
  // GCM is a stream mode: update gives every byte, and final only checks the tag (throwing when it is wrong).
  decipher.final();
  return plaintext;
}

/** A new random data key. */
export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}
