/** The wait before try `attempt` (1 for the first retry): doubling from `initialMs`, never past `maxMs`. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** (attempt - 1));
}
