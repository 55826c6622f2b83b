import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { HttpDeps } from './http-deps.js';

/**
 * The operator's endpoints, beside both dialects on the same port: `GET /metrics`
 * (Prometheus text), `GET /v1/health` (JSON; 200 only when ready, so a load balancer
 * sends traffic only to a process whose read models are caught up) and `GET /v1/health/live`
 * (200 unless the live feed has been down past its bound: an orchestrator's liveness probe).
 */
export function opsRouter(deps: Pick<HttpDeps, 'metrics' | 'health' | 'liveness' | 'config'>): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    if (!scraperAllowed(ctx, deps.config.metricsToken)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      ctx.body = { error: { code: 'unauthorized' } };
      return;
    }
    ctx.type = deps.metrics.contentType;
    ctx.body = await deps.metrics.scrape();
  });
  router.get('/v1/health', async (ctx) => {
    const report = await deps.health();
    ctx.status = report.status === 'ready' ? 200 : 503;
    ctx.body = report;
  });
  router.get('/v1/health/live', (ctx) => {
    const report = deps.liveness();
    ctx.status = report.status === 'alive' ? 200 : 503;
    ctx.body = report;
  });
  return router;
}

/** Open when no token is configured; else only `Authorization: Bearer <token>`, compared in constant time. */
function scraperAllowed(ctx: Context, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = /^Bearer (.+)$/i.exec(ctx.get('Authorization'))?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token));
}

/** Equal-length inputs for timingSafeEqual, whatever the lengths of the tokens. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
