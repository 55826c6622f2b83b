import type { UserId } from '../../events/recorded-event.js';
import { open, seal } from './personal-data-cipher.js';

/** How a sealed value is stored in place of the plaintext: distinct from any plaintext value an event carries. */
export interface SealedValue {
  $enc: string;
}

export function isSealed(value: unknown): value is SealedValue {
  return typeof value === 'object' && value !== null && '$enc' in value && typeof value.$enc === 'string';
}

/** The associated data of a value: it binds the ciphertext to its person and field. */
const valueContext = (subject: UserId, field: string) => `eschat/value/user-${subject}/${field}`;

export function sealValue(key: Buffer, subject: UserId, field: string, value: unknown): SealedValue {
  return { $enc: seal(key, Buffer.from(JSON.stringify(value), 'utf8'), valueContext(subject, field)).toString('base64') };
}

/** The JSON text of the value sealed; throws when it does not authenticate (changed, moved, another key). */
export function openValueText(key: Buffer, subject: UserId, field: string, value: SealedValue): string {
  return open(key, Buffer.from(value.$enc, 'base64'), valueContext(subject, field)).toString('utf8');
}
