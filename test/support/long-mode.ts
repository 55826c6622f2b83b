/**
 * `npm run test:long` sets ESCHAT_LONG=1: the reliability suites then run their long versions
 * (more crashes, more inputs). `npm test` runs the fast ones.
 */
export const longMode = process.env['ESCHAT_LONG'] === '1';

/** `fast` under `npm test`, `long` under `npm run test:long`. */
export function scaled(fast: number, long: number): number {
  return longMode ? long : fast;
}
