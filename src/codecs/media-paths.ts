import type { MediaKind } from '../commands/media-signature.js';

/** The extension the original gave each type's files, whatever their content. */
const IM_EXTENSIONS: Record<MediaKind, string> = { audio: '.amr', video: '.mp4', image: '.png' };

/**
 * Where im clients fetch a media message's bytes: the `c` of `[[m]] t = "audio"`, as the
 * original wrote it, `file/<type>/<id><ext>`, relative (clients put their HTTP server before it).
 */
export function imMediaPath(kind: MediaKind, mediaId: string): string {
  return `file/${kind}/${mediaId}${IM_EXTENSIONS[kind]}`;
}

/**
 * The media id in the last segment of `GET /file/<type>/<segment>`: `<id><ext>` as imMediaPath
 * writes it, or `<id>` as eschat wrote it before (those paths are in clients' histories).
 */
export function imMediaId(kind: MediaKind, segment: string): string {
  const extension = IM_EXTENSIONS[kind];
  return segment.endsWith(extension) ? segment.slice(0, -extension.length) : segment;
}

/** Where v1 clients fetch them: the `url` of a media message. */
export function v1MediaPath(mediaId: string): string {
  return `/v1/media/${mediaId}`;
}
