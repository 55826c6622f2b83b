import type { Context } from 'koa';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * Who may call a route. Every route must say: the authorization matrix test walks this table,
 * so a route added without a rule fails it.
 */
export type Access = 'public' | 'user' | 'admin';

export type RouteContext<State> = Context & { state: State; params: Record<string, string> };

export interface Route<State> {
  method: Method;
  path: string;
  access: Access;
  handler: (ctx: RouteContext<State>) => Promise<void>;
}
