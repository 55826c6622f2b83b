import { findUser, searchUsers, type PublicUser } from '../../queries/users.js';
import type { HttpDeps } from '../http-deps.js';
import type { Route } from '../route.js';
import type { V1State } from './v1-state.js';
import { V1Error } from './v1-error.js';

/** A user as v1 shows one: `login` is the login, or else the name. */
export function v1User(user: PublicUser): { id: number; login: string } {
  return { id: user._id, login: user.login ?? user.name };
}

export function userRoutes(deps: HttpDeps): Route<V1State>[] {
  return [
    {
      method: 'GET',
      path: '/info',
      access: 'user',
      summary: 'The caller: {"id","login"}',
      async handler(ctx) {
        const user = await findUser(deps.read, ctx.state.caller.userId);
        if (!user) throw new V1Error(401, 'unauthorized');
        ctx.body = v1User(user);
      },
    },
    {
      method: 'GET',
      path: '/users',
      access: 'user',
      summary: 'Users whose login contains q, case-insensitive, at most 50: [{"id","login"}]',
      async handler(ctx) {
        const q = ctx.query['q'];
        // As the original: no `q` finds nobody, an empty `q` lists everyone (up to the limit).
        if (typeof q !== 'string') {
          ctx.body = [];
          return;
        }
        ctx.body = (await searchUsers(deps.read, q.slice(0, 256))).map(v1User);
      },
    },
  ];
}
