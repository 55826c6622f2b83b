import { z } from 'zod';
import { endSession } from '../../commands/session.js';
import { registerUser } from '../../commands/user.js';
import { callerContext } from '../caller-context.js';
import type { HttpDeps } from '../http-deps.js';
import { requestContext, type RequestContext } from '../request-context.js';
import type { Route } from '../route.js';
import { openSession, signIn } from '../../use-cases/sign-in.js';
import { jsonBody } from './json-body.js';
import type { V1State } from './v1-state.js';
import { V1Error } from './v1-error.js';

const Credentials = z.object({
  login: z.string(),
  password: z.string(),
  /** Not in the seed: lets a client name its device, as im clients do. */
  device: z.string().max(64).optional(),
});

export function sessionRoutes(deps: HttpDeps): Route<V1State>[] {
  const limit = deps.config.limits.bodyBytes;
  return [
    {
      method: 'POST',
      path: '/register',
      access: 'public',
      summary: 'Create an account and sign in: {"session_id"}',
      body: Credentials,
      errors: ['user_already_exists', 'invalid_login', 'invalid_password'],
      async handler(ctx) {
        const body = await jsonBody(ctx, Credentials, limit);
        const context = requestContext(ctx);
        const registration = { name: body.login, login: body.login, phone: null, password: body.password };
        const { userId, position } = await registerUser(deps.store, deps.userIds, registration, context);
        await deps.read.waitFor(position);
        const session = await openSession(deps, { userId, device: body.device ?? 'v1', dialect: 'v1' }, context);
        ctx.body = { session_id: session.token };
      },
    },
    {
      method: 'POST',
      path: '/login',
      access: 'public',
      summary: 'Sign in with a login (or a phone number): {"session_id"}',
      body: Credentials,
      errors: ['user_not_found', 'wrong_credentials', 'rate_limited'],
      async handler(ctx) {
        const body = await jsonBody(ctx, Credentials, limit);
        ctx.body = { session_id: await signInToken(deps, body.login, body.password, body.device, requestContext(ctx)) };
      },
    },
    {
      method: 'POST',
      path: '/logout',
      access: 'user',
      summary: 'End this session; its sockets close',
      async handler(ctx) {
        const { caller } = ctx.state;
        const position = await endSession(deps.store, caller.sessionId, callerContext(ctx, caller));
        if (position !== null) await deps.read.waitFor(position);
        ctx.body = {};
      },
    },
  ];
}

async function signInToken(
  deps: HttpDeps,
  login: string,
  password: string,
  device: string | undefined,
  context: RequestContext,
): Promise<string> {
  const outcome = await signIn(deps, { identifier: login, password, device: device ?? 'v1', dialect: 'v1', context });
  switch (outcome.kind) {
    case 'signed_in':
      return outcome.token;
    case 'unknown_user':
      throw new V1Error(422, 'user_not_found');
    case 'wrong_password':
      throw new V1Error(422, 'wrong_credentials');
    case 'throttled':
      throw new V1Error(429, 'rate_limited', { 'Retry-After': String(outcome.retryAfterSeconds) });
  }
}
