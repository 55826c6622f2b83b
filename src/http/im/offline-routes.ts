import type { HttpDeps } from '../http-deps.js';
import type { Route } from '../route.js';
import { writeImAnswer } from './im-answer.js';
import type { ImState } from './im-state.js';

/** At most this many frames in one `GET /offline`; the client deletes and asks again. */
const OFFLINE_PAGE = 10_000;

/**
 * simple_im's offline queue: what no device of the user has acknowledged, as plain TOML
 * tables oldest first (the original deflated them; its wiki showed them plain, as here).
 */
export function offlineRoutes(deps: HttpDeps): Route<ImState>[] {
  return [
    {
      method: 'GET',
      path: '/offline',
      access: 'user',
      summary: 'The frames no device of the caller has acknowledged, oldest first',
      async handler(ctx) {
        writeImAnswer(ctx, {}, await deps.offline.pending(ctx.state.caller.userId, OFFLINE_PAGE));
      },
    },
    {
      method: 'DELETE',
      path: '/offline',
      access: 'user',
      summary: 'Count everything up to now as delivered, for every device',
      async handler(ctx) {
        await deps.offline.clear(ctx.state.caller.userId);
        writeImAnswer(ctx, {});
      },
    },
  ];
}
