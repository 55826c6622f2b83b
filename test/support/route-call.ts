import type { Answer, HttpsClient } from './https-client.js';
import { multipart, type FilePart } from './media.js';
import { fillPath, type TableRoute } from './route-table.js';

/** What a caller sends to one route: path parameters, a query, and a body in one of three forms. */
export interface RouteRequest {
  params?: Record<string, string | number>;
  /** With its `?`. */
  query?: string;
  json?: unknown;
  form?: Record<string, string | string[]>;
  multipart?: Record<string, string | FilePart>;
}

/**
 * Calls a route as its dialect's clients do: the token as `X-Session-Id` (v1) or the `token`
 * cookie (im), none when null.
 */
export async function callRoute(client: HttpsClient, route: TableRoute, request: RouteRequest, token: string | null): Promise<Answer> {
  const path = fillPath(route.path, (name) => String(request.params?.[name] ?? '1')) + (request.query ?? '');
  const headers: Record<string, string> = {};
  if (token !== null) Object.assign(headers, route.dialect === 'v1' ? { 'x-session-id': token } : { cookie: `token=${token}` });
  const body = await bodyOf(request);
  if (body) Object.assign(headers, { 'content-type': body.type, 'content-length': String(body.bytes.length) });
  return client.request(route.method, path, { headers, ...(body ? { body: body.bytes } : {}) });
}

async function bodyOf(request: RouteRequest): Promise<{ type: string; bytes: Buffer } | null> {
  if (request.json !== undefined) return { type: 'application/json', bytes: Buffer.from(JSON.stringify(request.json)) };
  if (request.multipart) {
    const { body, contentType } = await multipart(request.multipart);
    return { type: contentType, bytes: body };
  }
  if (!request.form) return null;
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(request.form)) for (const each of [value].flat()) form.append(key, each);
  return { type: 'application/x-www-form-urlencoded', bytes: Buffer.from(form.toString()) };
}
