import type { Context } from 'koa';
import { required } from '../codecs/im/im-refusals.js';

/**
 * A form field of an im request, as text: the first one when a key repeats (as the original
 * read them), undefined when absent or empty.
 */
export function formField(ctx: Context, name: string): string | undefined {
  const value = fieldValue(ctx, name);
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first.length > 0 ? first : undefined;
}

/** Every value of a repeated field (`members[]=2&members[]=3`); qs names it without the brackets. */
export function formFields(ctx: Context, name: string): string[] {
  const value = fieldValue(ctx, name) ?? fieldValue(ctx, `${name}[]`);
  const values = Array.isArray(value) ? value : [value];
  return values.filter((each): each is string => typeof each === 'string' && each.length > 0);
}

function fieldValue(ctx: Context, name: string): unknown {
  const body = ctx.request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return (body as Record<string, unknown>)[name];
}

/** The listed fields; a missing one is refused with `status = 3 reason = "<field> Required"`, checked in order. */
export function requireFields<const K extends string>(ctx: Context, names: readonly K[]): Record<K, string> {
  const fields = {} as Record<K, string>;
  for (const name of names) {
    const value = formField(ctx, name);
    if (value === undefined) throw required(name);
    fields[name] = value;
  }
  return fields;
}
