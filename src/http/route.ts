import type { Context } from 'koa';
import type { z } from 'zod';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route. Every route must say: the authorization matrix test walks this table,
 * so a route added without a rule fails it.
 */
export type Access = 'public' | 'user' | 'admin';

export type RouteContext<State> = Context & { state: State; params: Record<string, string> };

export interface Route<State> {
  method: Method;
  /** koa-router syntax: `/rooms/:id`. */
  path: string;
  access: Access;
  /** One line for the OpenAPI document. */
  summary: string;
  /** The request body's schema, when there is one: validates it and documents it. */
  body?: z.ZodType;
  /** Error codes (v1) or reasons (im) this route may answer besides the common ones. */
  errors?: readonly string[];
  handler: (ctx: RouteContext<State>) => Promise<void>;
}
