import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { Route, RouteContext } from './route.js';

/** Registers a dialect's route table, putting its own sign-in check before every non-public route. */
export function mountRoutes<State>(
  router: Router,
  routes: readonly Route<State>[],
  requireCaller: (ctx: Context, access: Route<State>['access']) => Promise<void>,
): void {
  for (const route of routes) {
    const guard = async (ctx: Context, next: Next): Promise<void> => {
      if (route.access !== 'public') await requireCaller(ctx, route.access);
      await route.handler(ctx as RouteContext<State>);
      void next;
    };
    router.register(route.path, [route.method], guard);
  }
}
