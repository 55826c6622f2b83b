import Router from '@koa/router';
import type { Context } from 'koa';
import { isAdmin } from '../admin-access.js';
import { callerOf, tokenOf } from '../auth.js';
import type { HttpDeps } from '../http-deps.js';
import { mountRoutes } from '../mount-routes.js';
import type { Route } from '../route.js';
import { adminRoutes } from './admin-routes.js';
import { contactRoutes } from './contact-routes.js';
import { mediaRoutes } from './media-routes.js';
import { messageRoutes } from './message-routes.js';
import { openApiDocument } from './openapi.js';
import { presenceRoutes } from './presence-routes.js';
import { readStateRoutes } from './read-state-routes.js';
import { roomRoutes } from './room-routes.js';
import { searchRoutes } from './search-routes.js';
import { sessionRoutes } from './session-routes.js';
import { userRoutes } from './user-routes.js';
import { V1Error, v1Errors } from './v1-error.js';
import type { V1State } from './v1-state.js';

/** Every v1 route, by path under /v1: the table the authorization tests walk. */
export function v1Routes(deps: HttpDeps): Route<V1State>[] {
  const routes: Route<V1State>[] = [
    ...sessionRoutes(deps),
    ...userRoutes(deps),
    ...contactRoutes(deps),
    ...roomRoutes(deps),
    ...messageRoutes(deps),
    ...readStateRoutes(deps),
    ...presenceRoutes(deps),
    ...searchRoutes(deps),
    ...mediaRoutes(deps),
    ...adminRoutes(deps),
  ];
  const document = openApiDocument([...routes, openApiRoute]);
  return [...routes, { ...openApiRoute, handler: async (ctx) => void (ctx.body = document) }];
}

const openApiRoute: Route<V1State> = {
  method: 'GET',
  path: '/openapi.json',
  access: 'public',
  summary: 'This API as an OpenAPI 3.1 document',
  handler: async () => undefined,
};

export function v1Router(deps: HttpDeps): Router {
  const router = new Router({ prefix: '/v1', strict: false });
  router.use(v1Errors(deps.log));
  mountRoutes(router, v1Routes(deps), async (ctx: Context, access) => {
    const caller = await callerOf(deps.read, tokenOf(ctx));
    if (!caller) throw new V1Error(401, 'unauthorized');
    if (access === 'admin' && !(await isAdmin(deps.read, deps.config.admins, caller.userId))) throw new V1Error(403, 'forbidden');
    (ctx.state as V1State).caller = caller;
  });
  // `{/*rest}`: the rest is optional, so `/v1` itself is answered in v1's shape too.
  router.all('{/*rest}', () => {
    throw new V1Error(404, 'not_found');
  });
  return router;
}
