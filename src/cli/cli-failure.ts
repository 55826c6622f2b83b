import { ConfigError } from '../platform/config.js';

/** Ends a command with a message on stderr and an exit code, instead of a stack trace. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
  constructor(
    message: string,
    /** 1: what was asked for is not there; 2: the command line or configuration is wrong. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** A commander action whose expected failures print `eschat: <why>` and set the exit code. */
export function cliAction<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      if (error instanceof CliFailure || error instanceof ConfigError) {
        console.error(`eschat: ${error.message}`);
        process.exitCode = error instanceof CliFailure ? error.exitCode : 2;
        return;
      }
      throw error;
    }
  };
}
