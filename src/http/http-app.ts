import Koa, { type Context, type Next } from 'koa';
import type { HttpDeps } from './http-deps.js';
import { imRouter } from './im/im-router.js';
import { opsRouter } from './ops-router.js';
import { requestLog } from './request-log.js';
import { v1Router } from './v1/v1-router.js';

/** The Koa application: both dialects on one port, v1 under /v1 and im at the root, and the operator's endpoints. */
export function createHttpApp(deps: HttpDeps): Koa {
  const app = new Koa({ proxy: false });
  app.silent = true;
  app.use(requestLog(deps.log, deps.metrics));
  app.use(securityHeaders(deps.config.tls.enabled));
  app.use(opsRouter(deps).routes());
  // Each router's middleware built once, not once per request.
  const v1 = v1Router(deps).routes();
  const im = imRouter(deps).routes();
  app.use(async (ctx, next) => {
    const path = ctx.path;
    const routes = path === '/v1' || path.startsWith('/v1/') ? v1 : im;
    await routes(ctx as never, next);
  });
  return app;
}

function securityHeaders(tls: boolean) {
  const headers = {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    ...(tls ? { 'Strict-Transport-Security': 'max-age=31536000' } : {}),
  };
  return async (ctx: Context, next: Next): Promise<void> => {
    ctx.set(headers);
    await next();
  };
}
