import type { Config } from '../../src/platform/config.js';
import type { HttpDeps } from '../../src/http/http-deps.js';
import { imRoutes } from '../../src/http/im/im-router.js';
import type { Access, Method } from '../../src/http/route.js';
import { v1Routes } from '../../src/http/v1/v1-router.js';

/** One route as the suites that walk the tables see it: its full path, who may call it. */
export interface TableRoute {
  dialect: 'v1' | 'im';
  method: Method;
  /** koa-router syntax, with the dialect's prefix: `/v1/rooms/:id`, `/group/:gid`. */
  path: string;
  access: Access;
  /** Whether it reads a JSON body (v1 routes that declare its schema). */
  json: boolean;
  /** `METHOD path`: the key of the suites' expectation tables. */
  key: string;
}

/**
 * Every route of both dialects, read from the route tables the server mounts, so that a route
 * added there is walked here too. Building a table reads only the configuration (its limits);
 * no handler runs, so the other dependencies are not needed.
 */
export function routeTable(config: Config): TableRoute[] {
  const deps = { config } as Pick<HttpDeps, 'config'> as HttpDeps;
  const v1 = v1Routes(deps).map((route) => tableRoute('v1', route.method, `/v1${route.path}`, route.access, route.body !== undefined));
  const im = imRoutes(deps).map((route) => tableRoute('im', route.method, route.path, route.access, false));
  return [...v1, ...im];
}

function tableRoute(dialect: TableRoute['dialect'], method: Method, path: string, access: Access, json: boolean): TableRoute {
  return { dialect, method, path, access, json, key: `${method} ${path}` };
}

/** A route's path with its parameters filled in: `fill('/rooms/:id', { id: '7' })`. */
export function fillPath(path: string, values: (name: string) => string): string {
  return path.replace(/:(\w+)/g, (_, name: string) => values(name));
}
