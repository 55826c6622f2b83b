import coBody from 'co-body';
import type { Context } from 'koa';
import type { z } from 'zod';
import { V1Error } from './v1-error.js';

/**
 * The request body as JSON of the given shape, whatever the Content-Type says (the original
 * answered 415 without `application/json`; clients gain nothing from that).
 */
export async function jsonBody<S extends z.ZodType>(ctx: Context, schema: S, limitBytes: number): Promise<z.infer<S>> {
  let parsed: unknown;
  try {
    parsed = await coBody.json(ctx.req, { limit: limitBytes, strict: true });
  } catch (error) {
    if ((error as { status?: number }).status === 413) throw new V1Error(413, 'payload_too_large');
    throw new V1Error(422, 'invalid_json');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new V1Error(422, 'invalid_json');
  return result.data;
}
