import { callerOf, tokenOf } from '../auth.js';
import type { HttpDeps } from '../http-deps.js';
import { requestContext } from '../request-context.js';
import type { Route } from '../route.js';
import { signIn } from '../../use-cases/sign-in.js';
import { formField, requireFields } from '../form-fields.js';
import { writeImAnswer } from './im-answer.js';
import { ImError } from '../../codecs/im/im-refusals.js';
import type { ImState } from './im-state.js';

const tokenMismatch = (): ImError => new ImError(1, 'Token Error');

/** The IM endpoint clients connect to next: the public host name and the IM port, as a string. */
function imEndpoint(deps: HttpDeps): { server: string; port: string } {
  return { server: deps.config.publicHost, port: String(deps.config.imPort) };
}

export function serverRoutes(deps: HttpDeps): Route<ImState>[] {
  return [
    {
      method: 'POST',
      path: '/server/login',
      access: 'public',
      summary: 'Sign in with phone (or login), password, device: the IM endpoint and a token',
      errors: ['Mismatch', "User doesn't exist!", '<field> Required'],
      async handler(ctx) {
        const { phone, password, device } = requireFields(ctx, ['phone', 'password', 'device']);
        const outcome = await signIn(deps, {
          identifier: phone,
          password,
          device: device.slice(0, 64),
          dialect: 'im',
          context: requestContext(ctx),
        });
        switch (outcome.kind) {
          case 'signed_in':
            writeImAnswer(ctx, { ...imEndpoint(deps), user: { id: outcome.userId, token: outcome.token } });
            return;
          case 'unknown_user':
            throw new ImError(2, "User doesn't exist!");
          case 'wrong_password':
            throw new ImError(1, 'Mismatch');
          case 'throttled':
            throw new ImError(4, `Too many failed attempts, retry in ${outcome.retryAfterSeconds} s`);
        }
      },
    },
    {
      // The original checked the token itself and answered "Token Error" (capital E) for both failures.
      method: 'POST',
      path: '/server/reconnect',
      access: 'public',
      summary: 'The IM endpoint again, for the token in the cookie and the id in the form',
      errors: ['Token Error'],
      async handler(ctx) {
        const caller = await callerOf(deps.read, tokenOf(ctx));
        if (!caller || String(caller.userId) !== formField(ctx, 'id')) throw tokenMismatch();
        writeImAnswer(ctx, imEndpoint(deps));
      },
    },
    {
      method: 'POST',
      path: '/server/failed',
      access: 'public',
      summary: 'Report the IM endpoint unreachable',
      errors: ['Token Error', 'IM is online'],
      async handler(ctx) {
        if (!(await callerOf(deps.read, tokenOf(ctx)))) throw tokenMismatch();
        // This process serves IM itself: if it answers, its IM listener is up.
        throw new ImError(1, 'IM is online');
      },
    },
  ];
}
