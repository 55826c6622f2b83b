import { CommandRefused } from '../../src/commands/decider.js';

/** The refusal code a command answered with, or 'accepted'. */
export async function refusalOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CommandRefused) return error.code;
    throw error;
  }
  return 'accepted';
}
