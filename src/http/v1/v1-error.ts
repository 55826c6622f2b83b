import type { Context, Next } from 'koa';
import { CommandRefused } from '../../commands/decider.js';
import { V1_REFUSALS, v1ErrorBody, type V1ErrorCode } from '../../codecs/v1/v1-error-codes.js';
import type { Logger } from '../../platform/logger.js';

/** A v1 answer that is not a success: `{"error":{"code":"..."}}` with an HTTP status. */
export class V1Error extends Error {
  constructor(
    readonly status: number,
    readonly code: V1ErrorCode,
    readonly headers: Record<string, string> = {},
  ) {
    super(code);
  }
}

export function v1Errors(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (error) {
      const { status, code, headers } = toV1Error(error, log);
      ctx.status = status;
      ctx.set(headers);
      ctx.body = v1ErrorBody(code);
    }
  };
}

function toV1Error(error: unknown, log: Logger): V1Error {
  if (error instanceof V1Error) return error;
  // A command's refusal in v1's words (V1_REFUSALS); one no client should meet is an internal error.
  const code = error instanceof CommandRefused ? V1_REFUSALS[error.code] : null;
  if (code) return new V1Error(422, code);
  log.error({ err: error }, 'v1 request failed');
  return new V1Error(500, 'internal_error');
}
