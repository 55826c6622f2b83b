import type { Context, Next } from 'koa';
import { CommandRefused } from '../../commands/decider.js';
import type { Logger } from '../../platform/logger.js';

/** A v1 answer that is not a success: `{"error":{"code":"..."}}` with an HTTP status. */
export class V1Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(code);
  }
}

/** Domain refusals in v1's words; any other refusal code is passed through as it is. */
const REFUSALS: Record<string, string> = {
  login_taken: 'user_already_exists',
  phone_taken: 'user_already_exists',
};

export function v1Errors(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (error) {
      const { status, code, headers } = toV1Error(error, log);
      ctx.status = status;
      ctx.set(headers);
      ctx.body = { error: { code } };
    }
  };
}

function toV1Error(error: unknown, log: Logger): V1Error {
  if (error instanceof V1Error) return error;
  if (error instanceof CommandRefused) return new V1Error(422, REFUSALS[error.code] ?? error.code);
  log.error({ err: error }, 'v1 request failed');
  return new V1Error(500, 'internal_error');
}
