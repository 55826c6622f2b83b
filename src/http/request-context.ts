import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import type { CommandContext } from '../commands/command-context.js';
import { addressOf } from './auth.js';

/** Koa state every request carries, whichever dialect serves it. */
interface RequestState {
  requestId: string;
}

/** What a request's commands carry even when nobody is signed in: where it came from, and which request it was. */
export interface RequestContext extends CommandContext {
  address: string;
  correlationId: string;
}

/**
 * An id a proxy in front may have given the request (`X-Request-Id`), so one id follows it
 * through every hop. Anything else is replaced: the id ends up in logs and in the event log.
 */
const FORWARDED_ID = /^[\w.:-]{8,128}$/;

/** Gives the request its id: the forwarded one when well formed, else a new UUID. */
export function assignRequestId(ctx: Pick<Context, 'get' | 'state'>): string {
  const forwarded = ctx.get('X-Request-Id');
  const requestId = FORWARDED_ID.test(forwarded) ? forwarded : randomUUID();
  (ctx.state as RequestState).requestId = requestId;
  return requestId;
}

/**
 * The metadata of what a request does: its id becomes the events' correlation id, so every
 * event in the log leads back to the request's log line.
 */
export function requestContext(ctx: Pick<Context, 'ip' | 'state'>): RequestContext {
  return { address: addressOf(ctx), correlationId: (ctx.state as RequestState).requestId };
}
