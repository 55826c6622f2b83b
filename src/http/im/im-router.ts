import Router from '@koa/router';
import { koaBody } from 'koa-body';
import type { Context } from 'koa';
import { callerOf, tokenOf } from '../auth.js';
import type { HttpDeps } from '../http-deps.js';
import { mountRoutes } from '../mount-routes.js';
import type { Route } from '../route.js';
import { discardUploadsAfter, filenameMeansFile } from '../uploads.js';
import { contactRoutes } from './contact-routes.js';
import { groupRoutes } from './group-routes.js';
import { writeImAnswer } from './im-answer.js';
import { ImError, tokenError } from '../../codecs/im/im-refusals.js';
import { imErrors } from './im-error.js';
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

/**
 * A body that could not be read, in im's words: too large, or else the body's own fault (a
 * corrupt gzip stream, a transfer encoding the parser lacks, broken multipart). Only a failure
 * of the file system (ENOSPC, EACCES, ...) is the server's, and stays an internal error.
 */
function bodyRefusal(error: Error): Error {
  const failure = error as { status?: number; httpCode?: number; code?: unknown };
  if ((failure.status ?? failure.httpCode) === 413) return new ImError(5, 'Payload Too Large');
  return typeof failure.code === 'string' && /^E[A-Z]+$/.test(failure.code) ? error : new ImError(3, 'Bad Request');
}

/** The methods koa-body parses a body of (its default `parsedMethods`). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export function imRouter(deps: HttpDeps): Router {
  const router = new Router();
  const { bodyBytes, uploadBytes } = deps.config.limits;
  router.use(imErrors(deps.log));
  const parseBody = koaBody({
    json: false,
    text: false,
    urlencoded: true,
    multipart: true,
    formLimit: bodyBytes,
    // qs reads more than 20 `members[]` as an object by default: a big group would lose its members.
    queryString: { arrayLimit: 1000 },
    // The text fields of a multipart form are a form body too: the body limit holds for them.
    formidable: {
      maxFileSize: uploadBytes,
      maxTotalFileSize: uploadBytes,
      maxFields: 1000,
      maxFieldsSize: bodyBytes,
      onPart: filenameMeansFile,
    },
    onError: (error) => {
      throw bodyRefusal(error);
    },
  });
  // koa-body parses these methods only, but sniffs the content type of every request first.
  router.use((ctx, next) => (BODY_METHODS.has(ctx.method) ? parseBody(ctx, next) : next()));
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
