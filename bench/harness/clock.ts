/**
 * The one clock every send and receipt is stamped with, in milliseconds (fractional).
 *
 * `process.hrtime` reads CLOCK_MONOTONIC on Linux: system-wide, so a send stamped in one worker
 * process and its receipt stamped in another compare exactly, and never stepped by NTP. Not
 * `performance.now()`, whose origin is each process's own start.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
