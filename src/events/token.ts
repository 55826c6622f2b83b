import { createHash, randomUUID } from 'node:crypto';

/** A bearer token: a random UUID v4 (122 random bits), as both original servers' clients expect. */
export function newToken(): string {
  return randomUUID();
}

/** Only this hash of a token is ever stored or logged. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
