import type { Answer } from './https-client.js';

const ONE_YEAR = 365 * 24 * 3600;

/** What every HTTP answer carries, whatever its route, status or dialect (the server speaks TLS). */
const EXPECTED: ReadonlyArray<[name: string, holds: (value: string) => boolean]> = [
  ['x-content-type-options', (value) => value === 'nosniff'],
  ['x-frame-options', (value) => value === 'DENY'],
  ['referrer-policy', (value) => value === 'no-referrer'],
  ['cache-control', (value) => /\bno-store\b/.test(value)],
  ['content-security-policy', (value) => value.includes("default-src 'none'")],
  ['strict-transport-security', (value) => Number(/max-age=(\d+)/.exec(value)?.[1] ?? 0) >= ONE_YEAR],
];

/** The security headers an answer lacks or gets wrong, by name: empty when all is well. */
export function missingSecurityHeaders(answer: Pick<Answer, 'headers'>): string[] {
  return EXPECTED.filter(([name, holds]) => !holds(String(answer.headers[name] ?? ''))).map(([name]) => name);
}
