import type { Context } from 'koa';
import { writeDocument } from '../../codecs/im/toml-writer.js';
import type { TomlFrame, TomlValue } from '../../codecs/im/toml-frame.js';

/** The Content-Type of every im answer. */
export const IM_CONTENT_TYPE = 'application/toml; charset=utf-8';

/**
 * Writes an im answer: HTTP 200, a TOML document whose first table is `[[response]]`
 * (`status` first), then any rows (`[[user]]`, `[[removed]]`, ...).
 */
export function writeImAnswer(ctx: Context, response: Record<string, TomlValue>, rows: readonly TomlFrame[] = []): void {
  ctx.status = 200;
  ctx.type = IM_CONTENT_TYPE;
  ctx.body = writeDocument([{ type: 'response', fields: { status: 0, ...response } }, ...rows]);
}
