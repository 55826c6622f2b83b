/**
 * What audit output never shows, and what it shows only when asked. Credentials — password
 * hashes, session token hashes, group invite keys — never leave through an audit: they are in
 * the log for the server's own checks, and an audit printout pasted in a ticket must not hand
 * out an offline cracking target or a working invite. What people wrote — message texts,
 * contact greetings — is content, shown only with `--with-content` (`?with_content=true`), and
 * so is where someone read up to (a read marker's `upTo`), as personal as a text.
 */
const CREDENTIALS: readonly string[] = ['passwordHash', 'tokenHash', 'key'];
const CONTENT: readonly string[] = ['text', 'ask'];
const CONTENT_POSITIONS: readonly string[] = ['upTo'];

export const REDACTED = '[redacted]';
export const HIDDEN = '[hidden]';

export function redactData(data: unknown, withContent: boolean): Record<string, unknown> {
  if (typeof data !== 'object' || data === null) return {};
  const shown: Record<string, unknown> = { ...data };
  for (const field of CREDENTIALS) if (typeof shown[field] === 'string') shown[field] = REDACTED;
  if (!withContent) for (const field of CONTENT) if (typeof shown[field] === 'string' && shown[field] !== '') shown[field] = HIDDEN;
  if (!withContent) for (const field of CONTENT_POSITIONS) if (typeof shown[field] === 'number') shown[field] = HIDDEN;
  return shown;
}
