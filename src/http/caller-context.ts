import type { Context } from 'koa';
import type { CommandContext } from '../commands/command-context.js';
import { addressOf, type Caller } from './auth.js';

/**
 * The metadata of what a signed-in caller does: who, from which device and session, from
 * where. Notifications name the actor's device from it, so its other devices hear of it too.
 */
export function callerContext(ctx: Pick<Context, 'ip'>, caller: Caller): CommandContext {
  return { actor: caller.userId, device: caller.device, session: caller.sessionId, address: addressOf(ctx) };
}
