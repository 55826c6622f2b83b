/**
 * A decimal integer from a path or query (`/contact/12`, `?since=0`) of at least `min`, or
 * null: never NaN, a float, an exponent or an unsafe integer, which would end up in a
 * stream name or a query.
 */
export function integerParam(text: unknown, min: number): number | null {
  if (typeof text !== 'string' || !/^[0-9]{1,16}$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= min ? value : null;
}
