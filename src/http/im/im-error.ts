import type { Context, Next } from 'koa';
import type { Logger } from '../../platform/logger.js';
import { writeImAnswer } from './im-answer.js';
import { CommandRefused } from '../../commands/decider.js';
import { IM_REFUSALS, ImError } from '../../codecs/im/im-refusals.js';

/**
 * im keeps its envelope even for refused requests: too large is a status, not HTTP 413. A
 * command's refusal is answered in im's words (IM_REFUSALS), whichever route it comes from.
 */
export function imErrors(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (error) {
      const answer = toImError(error, log);
      writeImAnswer(ctx, { status: answer.status, reason: answer.reason });
    }
  };
}

function toImError(error: unknown, log: Logger): ImError {
  if (error instanceof ImError) return error;
  const words = error instanceof CommandRefused ? IM_REFUSALS[error.code] : null;
  if (words) return words;
  // The multipart parser's errors (an upload over the limit) carry their HTTP status as `httpCode`.
  const failure = error as { status?: number; httpCode?: number };
  const status = failure.status ?? failure.httpCode;
  if (status === 413) return new ImError(5, 'Payload Too Large');
  if (status !== undefined && status >= 400 && status < 500) return new ImError(3, 'Bad Request');
  log.error({ err: error }, 'im request failed');
  return new ImError(99, 'Internal Error');
}
