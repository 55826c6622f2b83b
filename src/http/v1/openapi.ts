import { z } from 'zod';
import type { Route } from '../route.js';
import { STREAM_FRAMES } from './stream-frames.js';

/** The OpenAPI 3.1 document of v1, generated from the route table so it cannot drift from it. */
export function openApiDocument(routes: readonly Route<unknown>[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `/v1${route.path.replace(/:(\w+)/g, '{$1}')}`;
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'eschat v1',
      version: '1',
      description: 'The JSON dialect: a superset of e_chat_server. Errors are {"error":{"code":"..."}}.',
    },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'header', name: 'X-Session-Id' },
        bearer: { type: 'http', scheme: 'bearer' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'token' },
      },
      schemas: {
        Error: z.toJSONSchema(z.object({ error: z.object({ code: z.string() }) })),
        ...Object.fromEntries(Object.entries(STREAM_FRAMES).map(([name, schema]) => [name, z.toJSONSchema(schema)])),
      },
    },
    paths,
  };
}

function operation(route: Route<unknown>): Record<string, unknown> {
  const errorCodes = [
    ...(route.errors ?? []),
    ...(route.body ? ['invalid_json', 'payload_too_large'] : []),
    ...(route.access === 'public' ? [] : ['unauthorized']),
  ];
  return {
    summary: route.summary,
    ...(route.access === 'public' ? { security: [] } : { security: [{ session: [] }, { bearer: [] }, { cookie: [] }] }),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: z.toJSONSchema(route.body, { unrepresentable: 'any' }) } },
          },
        }
      : {}),
    parameters: [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    responses: {
      '200': { description: 'success' },
      ...(errorCodes.length > 0
        ? {
            default: {
              description: `error codes: ${errorCodes.join(', ')}`,
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          }
        : {}),
    },
  };
}
