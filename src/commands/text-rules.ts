/**
 * What no text (a message, a name, a greeting) can carry and still arrive as sent: NUL (it ends
 * strings in C clients and many stores refuse it; nobody types it) and lone surrogates (not
 * Unicode: UTF-8 on the wire cannot carry them, so they would arrive as U+FFFD in one dialect
 * and as an escape in the other).
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what it looks for
const UNCARRIABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function uncarriable(text: string): boolean {
  return UNCARRIABLE.test(text);
}
