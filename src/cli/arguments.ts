import { parseMoment, type AuditMoment } from '../queries/audit/moment.js';
import { CliFailure } from './cli-failure.js';

/** A positive integer argument (a user, room or message id, a count), or a usage error. */
export function idArgument(text: string, what: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || !Number.isSafeInteger(value))
    throw new CliFailure(`${what} must be a positive integer, got ${JSON.stringify(text)}`, 2);
  return value;
}

/** A count that may be 0, or a usage error. */
export function countArgument(text: string, what: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value))
    throw new CliFailure(`${what} must be a whole number, got ${JSON.stringify(text)}`, 2);
  return value;
}

/** `--at`: an ISO-8601 time or a log position; absent means now. */
export function momentArgument(text: string | undefined): AuditMoment | null {
  if (text === undefined) return null;
  const moment = parseMoment(text);
  if (moment === null)
    throw new CliFailure(`--at expects an ISO-8601 time (2026-03-01T12:00:00Z) or a log position, got ${JSON.stringify(text)}`, 2);
  return moment;
}
