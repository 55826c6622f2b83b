import { randomUUID } from 'node:crypto';
import Koa, { type Context, type Next } from 'koa';
import type { HttpDeps } from './http-deps.js';
import { imRouter } from './im/im-router.js';
import { v1Router } from './v1/v1-router.js';

/** The Koa application: both dialects on one port, v1 under /v1 and im at the root. */
export function createHttpApp(deps: HttpDeps): Koa {
  const app = new Koa({ proxy: false });
  app.silent = true;
  app.use(requestLog(deps));
  app.use(securityHeaders(deps.config.tls.enabled));
  const v1 = v1Router(deps);
  const im = imRouter(deps);
  app.use(async (ctx, next) => {
    const router = ctx.path === '/v1' || ctx.path.startsWith('/v1/') ? v1 : im;
    await router.routes()(ctx as never, next);
  });
  return app;
}

function securityHeaders(tls: boolean) {
  return async (ctx: Context, next: Next): Promise<void> => {
    ctx.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      ...(tls ? { 'Strict-Transport-Security': 'max-age=31536000' } : {}),
    });
    await next();
  };
}

/** One log line per request, without the query string (it may hold a session id). */
function requestLog(deps: HttpDeps) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const started = performance.now();
    const requestId = randomUUID();
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } catch (error) {
      deps.log.error({ err: error, requestId }, 'unhandled request error');
      ctx.status = 500;
      ctx.body = { error: { code: 'internal_error' } };
    } finally {
      deps.log.debug({ requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'request');
    }
  };
}
