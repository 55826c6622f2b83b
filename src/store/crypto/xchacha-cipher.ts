import sodium from 'libsodium-wrappers';
import { RandomNonces } from './random-nonces.js';

/**
 * XChaCha20-Poly1305 (IETF) from libsodium, compiled to WebAssembly: what personal values are
 * sealed with. node:crypto's AES-256-GCM (personal-data-cipher.ts) makes a cipher object and its
 * native context for every value, about 3.5 us for a short text whatever its length, and a send
 * seals a value, a replay opens one per message; libsodium seals or opens one in about 1 us here.
 * And a 192-bit nonce may be drawn at random for as many values as a key will ever seal, where
 * random 96-bit GCM IVs are bounded near 2^32 values per key. Associated data binds each value to
 * its context, as with GCM. Sealed bytes: nonce (24) | ciphertext | tag (16).
 */
await sodium.ready;

const NONCE_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
const TAG_BYTES = sodium.crypto_aead_xchacha20poly1305_ietf_ABYTES;

const nonces = new RandomNonces(NONCE_BYTES);

export function sealX(key: Uint8Array, plaintext: Uint8Array, associated: Uint8Array): Buffer {
  const nonce = nonces.next();
  return Buffer.concat([nonce, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associated, null, nonce, key)]);
}

/** The plaintext; throws when the bytes were changed, or sealed with another key or for another context. */
export function openX(key: Uint8Array, sealed: Uint8Array, associated: Uint8Array): Buffer {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const plaintext = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
    null,
    sealed.subarray(NONCE_BYTES),
    associated,
    sealed.subarray(0, NONCE_BYTES),
    key,
  );
  return Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
}

/** A key of its own for one use of a person's data key (libsodium's BLAKE2b key derivation): `context` is 8 characters. */
export function subkey(key: Uint8Array, context: string): Uint8Array {
  return sodium.crypto_kdf_derive_from_key(sodium.crypto_kdf_KEYBYTES, 1, context, key);
}
