import type { Context } from 'koa';
import type { MediaDocument } from '../queries/media.js';
import type { MediaStore } from '../store/ports/media-store.js';
import { requestedRange } from './byte-range.js';

/**
 * Answers media bytes with their Content-Type and Content-Length, one range of them (206 with
 * Content-Range) when asked: players seek in audio and video that way. On `unsatisfiable`
 * the Content-Range header is set and the dialect writes its 416; on `missing` (the bytes are
 * gone from the store) nothing is written.
 */
export async function serveMedia(ctx: Context, store: MediaStore, media: MediaDocument): Promise<'sent' | 'missing' | 'unsatisfiable'> {
  const range = requestedRange(ctx.get('range') || undefined, media.size);
  ctx.set('Accept-Ranges', 'bytes');
  if (range.kind === 'unsatisfiable') {
    ctx.set('Content-Range', `bytes */${media.size}`);
    return 'unsatisfiable';
  }
  const part = range.kind === 'part' ? { start: range.start, end: range.end } : undefined;
  const content = await store.get(media._id, part);
  if (!content) return 'missing';
  ctx.status = part ? 206 : 200;
  ctx.body = content.stream;
  ctx.type = media.contentType;
  ctx.length = part ? part.end - part.start + 1 : content.size;
  if (part) ctx.set('Content-Range', `bytes ${part.start}-${part.end}/${content.size}`);
  return 'sent';
}
