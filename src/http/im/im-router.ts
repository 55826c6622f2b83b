import Router from '@koa/router';
import { koaBody } from 'koa-body';
import type { Context } from 'koa';
import { callerOf, tokenOf } from '../auth.js';
import type { HttpDeps } from '../http-deps.js';
import { mountRoutes } from '../mount-routes.js';
import type { Route } from '../route.js';
import { discardUploadsAfter } from '../uploads.js';
import { contactRoutes } from './contact-routes.js';
import { groupRoutes } from './group-routes.js';
import { writeImAnswer } from './im-answer.js';
import { ImError, imErrors, tokenError } from './im-error.js';
import type { ImState } from './im-state.js';
import { mediaRoutes } from './media-routes.js';
import { offlineRoutes } from './offline-routes.js';
import { serverRoutes } from './server-routes.js';
import { userRoutes } from './user-routes.js';

/** Every im route: the table the authorization tests walk. */
export function imRoutes(deps: HttpDeps): Route<ImState>[] {
  return [
    { method: 'GET', path: '/health', access: 'public', summary: 'status 0 when serving', handler: async (ctx) => writeImAnswer(ctx, {}) },
    ...serverRoutes(deps),
    ...userRoutes(deps),
    ...contactRoutes(deps),
    ...groupRoutes(deps),
    ...mediaRoutes(deps),
    ...offlineRoutes(deps),
  ];
}

export function imRouter(deps: HttpDeps): Router {
  const router = new Router();
  const { bodyBytes, uploadBytes } = deps.config.limits;
  router.use(imErrors(deps.log));
  router.use(
    koaBody({
      json: false,
      text: false,
      urlencoded: true,
      multipart: true,
      formLimit: bodyBytes,
      // qs reads more than 20 `members[]` as an object by default: a big group would lose its members.
      queryString: { arrayLimit: 1000 },
      formidable: { maxFileSize: uploadBytes, maxTotalFileSize: uploadBytes, maxFields: 1000 },
    }),
  );
  router.use(discardUploadsAfter);
  mountRoutes(router, imRoutes(deps), async (ctx: Context) => {
    const caller = await callerOf(deps.read, tokenOf(ctx));
    if (!caller) throw tokenError();
    (ctx.state as ImState).caller = caller;
  });
  router.all('/{*rest}', () => {
    throw new ImError(404, 'Not Found');
  });
  return router;
}
