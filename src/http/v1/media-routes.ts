import { koaBody } from 'koa-body';
import type { Context } from 'koa';
import type { MediaKind } from '../../commands/media-signature.js';
import { MAX_CLIENT_ID } from '../../commands/message.js';
import { findVisibleMedia } from '../../queries/media.js';
import { callerContext } from '../caller-context.js';
import type { HttpDeps } from '../http-deps.js';
import { formField } from '../form-fields.js';
import { serveMedia } from '../media-download.js';
import { sendMedia } from '../../use-cases/send-media.js';
import type { Route } from '../route.js';
import { discardUploads, filenameMeansFile, uploadedFile } from '../uploads.js';
import { v1Message } from '../../codecs/v1/v1-json.js';
import { roomParam } from './room-param.js';
import { V1Error } from './v1-error.js';
import type { V1State } from './v1-state.js';

const KINDS: readonly string[] = ['audio', 'video', 'image'] satisfies MediaKind[];
const isKind = (text: string): text is MediaKind => KINDS.includes(text);

export function mediaRoutes(deps: HttpDeps): Route<V1State>[] {
  const { uploadBytes, bodyBytes } = deps.config.limits;
  // Only this route reads multipart in v1: other bodies are JSON. Its text fields are a form body: the body limit holds.
  const formidable = {
    maxFileSize: uploadBytes,
    maxTotalFileSize: uploadBytes,
    maxFields: 20,
    maxFieldsSize: bodyBytes,
    onPart: filenameMeansFile,
  };
  const parse = koaBody({ multipart: true, urlencoded: false, json: false, text: false, formidable });

  async function readMultipart(ctx: Context): Promise<void> {
    try {
      await parse(ctx, async () => undefined);
    } catch (error) {
      throw (error as { httpCode?: number }).httpCode === 413 ? new V1Error(413, 'payload_too_large') : new V1Error(422, 'invalid_media');
    }
  }

  return [
    {
      method: 'POST',
      path: '/rooms/:id/media',
      access: 'user',
      summary: `Send audio (AMR, MP4, 3GP), video (MP4, 3GP) or an image (PNG, JPEG, GIF, WebP) as multipart part "file", with optional fields "kind" and "client_id", up to ${uploadBytes} bytes: the message`,
      errors: [
        'room_not_found',
        'not_a_member',
        'missing_file',
        'invalid_media',
        'invalid_client_id',
        'client_id_reused',
        'payload_too_large',
      ],
      async handler(ctx) {
        const { caller } = ctx.state;
        const roomId = roomParam(ctx.params.id);
        try {
          await readMultipart(ctx);
          const file = uploadedFile(ctx, ['file']);
          if (!file) throw new V1Error(422, 'missing_file');
          const kind = formField(ctx, 'kind') ?? null;
          if (kind !== null && !isKind(kind)) throw new V1Error(422, 'invalid_media');
          const clientId = formField(ctx, 'client_id') ?? null;
          if (clientId !== null && clientId.length > MAX_CLIENT_ID) throw new V1Error(422, 'invalid_client_id');
          const upload = { roomId, kind, file: file.filepath, clientId, reusedClientId: 'refused' as const };
          ctx.body = v1Message(await sendMedia(deps, caller, upload, callerContext(ctx, caller)));
        } finally {
          await discardUploads(ctx);
        }
      },
    },
    {
      method: 'GET',
      path: '/media/:id',
      access: 'user',
      summary: 'The bytes of a media message in a room the caller is in; honours one Range (206, or 416)',
      errors: ['media_not_found', 'range_not_satisfiable'],
      async handler(ctx) {
        const media = await findVisibleMedia(deps.read, ctx.params.id ?? '', ctx.state.caller.userId);
        const outcome = media ? await serveMedia(ctx, deps.media, media) : 'missing';
        if (outcome === 'missing') throw new V1Error(404, 'media_not_found');
        if (outcome === 'unsatisfiable') throw new V1Error(416, 'range_not_satisfiable');
      },
    },
  ];
}
