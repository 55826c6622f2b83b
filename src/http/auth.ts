import type { Context } from 'koa';
import { tokenFromRequest } from '../codecs/request-credentials.js';

export { callerOf, type Caller } from '../queries/sessions.js';

/** The session token of a request, wherever either dialect puts it. */
export function tokenOf(ctx: Pick<Context, 'req'>): string | null {
  return tokenFromRequest(ctx.req);
}

/** The client's address as the socket saw it (no proxy headers are trusted by default). */
export function addressOf(ctx: Pick<Context, 'ip'>): string {
  return ctx.ip;
}
