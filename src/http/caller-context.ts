import type { Context } from 'koa';
import type { CommandContext } from '../commands/command-context.js';
import type { Caller } from './auth.js';
import { requestContext } from './request-context.js';

/**
 * The metadata of what a signed-in caller does: who, from which device and session, from
 * where, in which request. Notifications name the actor's device from it, so its other
 * devices hear of it too.
 */
export function callerContext(ctx: Pick<Context, 'ip' | 'state'>, caller: Caller): CommandContext {
  return { ...requestContext(ctx), actor: caller.userId, device: caller.device, session: caller.sessionId };
}
