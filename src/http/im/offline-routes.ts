import { deflateWithoutCrLf } from '../../codecs/im/offline-deflate.js';
import { writeDocument, writeFrameLine } from '../../codecs/im/toml-writer.js';
import type { HttpDeps } from '../http-deps.js';
import type { Route } from '../route.js';
import { IM_CONTENT_TYPE, writeImAnswer } from './im-answer.js';
import type { ImState } from './im-state.js';

/** At most this many frames in one `GET /offline`; the client deletes and asks again. */
const OFFLINE_PAGE = 10_000;

/**
 * simple_im's offline queue, as its original code answered it: the `[[response]]` table, CR LF,
 * then the waiting frames, each followed by CR LF, oldest first, in raw DEFLATE. The reference
 * client splits the body on CR LF into exactly two parts and inflates the second: the deflated
 * bytes never contain CR LF.
 */
export function offlineRoutes(deps: HttpDeps): Route<ImState>[] {
  return [
    {
      method: 'GET',
      path: '/offline',
      access: 'user',
      summary: 'The frames no device of the caller was sent, oldest first, deflated',
      async handler(ctx) {
        const frames = await deps.offline.pending(ctx.state.caller.userId, OFFLINE_PAGE);
        const waiting = Buffer.from(frames.map((frame) => `${writeFrameLine(frame)}\r\n`).join(''));
        ctx.status = 200;
        ctx.type = IM_CONTENT_TYPE;
        ctx.body = Buffer.concat([
          Buffer.from(writeDocument([{ type: 'response', fields: { status: 0 } }])),
          Buffer.from('\r\n'),
          deflateWithoutCrLf(waiting),
        ]);
      },
    },
    {
      method: 'DELETE',
      path: '/offline',
      access: 'user',
      summary: 'Count what the last GET /offline served (or everything up to now) as delivered, for every device',
      async handler(ctx) {
        await deps.offline.clear(ctx.state.caller.userId);
        writeImAnswer(ctx, {});
      },
    },
  ];
}
