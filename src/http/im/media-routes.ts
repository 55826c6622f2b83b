import type { MediaKind } from '../../commands/media-signature.js';
import type { RoomId } from '../../events/room.js';
import { imMediaId, imMediaPath } from '../../codecs/media-paths.js';
import { findVisibleMedia } from '../../queries/media.js';
import type { Caller } from '../auth.js';
import { callerContext } from '../caller-context.js';
import { openDirectRoom } from '../../use-cases/direct-room.js';
import type { HttpDeps } from '../http-deps.js';
import { integerParam } from '../integer-param.js';
import { serveMedia } from '../media-download.js';
import { sendMedia } from '../../use-cases/send-media.js';
import type { Route, RouteContext } from '../route.js';
import { uploadedFile } from '../uploads.js';
import { formField } from '../form-fields.js';
import { writeImAnswer } from './im-answer.js';
import { CommandRefused } from '../../commands/decider.js';
import { ImError, imRefusal, required } from '../../codecs/im/im-refusals.js';
import type { ImState } from './im-state.js';

const KINDS: readonly MediaKind[] = ['audio', 'video', 'image'];

const notFound = (ctx: RouteContext<ImState>): void => {
  writeImAnswer(ctx, { status: 404, reason: 'Not Found' });
  ctx.status = 404;
};

export function mediaRoutes(deps: HttpDeps): Route<ImState>[] {
  /**
   * Sends the uploaded file of `kind` to the room `roomOf` names: the part named after the
   * kind, or `filename` as the seed's example sends it. The answer adds the message id and the
   * URL its recipients get as `c`.
   */
  async function sendUpload(ctx: RouteContext<ImState>, kind: MediaKind, roomOf: (caller: Caller) => Promise<RoomId>): Promise<void> {
    const file = uploadedFile(ctx, [kind, 'filename']);
    if (!file) throw required(kind);
    const { caller } = ctx.state;
    const roomId = await roomOf(caller);
    const upload = { roomId, kind, file: file.filepath, clientId: null, reusedClientId: 'new_message' as const };
    const message = await sendMedia(deps, caller, upload, callerContext(ctx, caller)).catch((error: unknown) => {
      // The original named the kind: "Invalid audio", not IM_REFUSALS' "Invalid media".
      throw error instanceof CommandRefused && error.code === 'invalid_media' ? new ImError(3, `Invalid ${kind}`) : error;
    });
    writeImAnswer(ctx, { message: { mid: message._id, c: imMediaPath(kind, message.mediaId ?? '') } });
  }

  const oneToOne = KINDS.map((kind): Route<ImState> => ({
    method: 'POST',
    path: `/m/${kind}`,
    access: 'user',
    summary: `Send ${kind} to user "to" (multipart, file part "${kind}")`,
    errors: [`${kind} Required`, 'to Required', 'User Not Exist!', 'Invalid to', `Invalid ${kind}`, 'Payload Too Large'],
    handler: (ctx) =>
      sendUpload(ctx, kind, async (caller) => {
        const to = formField(ctx, 'to');
        if (to === undefined) throw required('to');
        const other = integerParam(to, 1);
        if (other === null) throw imRefusal('user_not_found');
        return openDirectRoom(deps, caller.userId, other, callerContext(ctx, caller));
      }),
  }));

  const toGroup = KINDS.map((kind): Route<ImState> => ({
    method: 'POST',
    path: `/gm/${kind}`,
    access: 'user',
    summary: `Send ${kind} to group "g_id" (multipart, file part "${kind}")`,
    errors: [`${kind} Required`, 'g_id Required', 'Group Not Exist!', 'Unauthorized', `Invalid ${kind}`, 'Payload Too Large'],
    handler: (ctx) =>
      sendUpload(ctx, kind, async () => {
        const group = formField(ctx, 'g_id');
        if (group === undefined) throw required('g_id');
        const roomId = integerParam(group, 1);
        if (roomId === null) throw imRefusal('room_not_found');
        return roomId;
      }),
  }));

  const downloads = KINDS.map((kind): Route<ImState> => ({
    method: 'GET',
    path: `/file/${kind}/:id`,
    access: 'user',
    summary: `The bytes of a ${kind} message in a room the caller is in, at the path its c names (the id with the type's extension; the bare id works too); honours one Range (206, or 416)`,
    async handler(ctx) {
      const media = await findVisibleMedia(deps.read, imMediaId(kind, ctx.params.id ?? ''), ctx.state.caller.userId);
      const outcome = media?.kind === kind ? await serveMedia(ctx, deps.media, media) : 'missing';
      if (outcome === 'missing') notFound(ctx);
      if (outcome === 'unsatisfiable') {
        ctx.status = 416;
        ctx.body = '';
      }
    },
  }));

  return [...oneToOne, ...toGroup, ...downloads];
}
