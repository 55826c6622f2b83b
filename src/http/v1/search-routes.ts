import { v1TimeOf } from '../../codecs/v1/v1-json.js';
import { MAX_SEARCH_PAGE, SEARCH_PAGE, searchMessages } from '../../queries/search.js';
import { MAX_QUERY_CHARACTERS } from '../../store/ports/search-text.js';
import type { HttpDeps } from '../http-deps.js';
import type { Route } from '../route.js';
import { pageParam } from './page-param.js';
import { V1Error } from './v1-error.js';
import type { V1State } from './v1-state.js';

export function searchRoutes(deps: HttpDeps): Route<V1State>[] {
  return [
    {
      method: 'GET',
      path: '/search',
      access: 'user',
      summary: `Full-text search of the messages of the rooms one is a member of now, newest first (?q=words, a trailing * for a prefix; case, diacritics and punctuation aside; Chinese, Japanese, Korean by substring. ?limit=1..${MAX_SEARCH_PAGE}, default ${SEARCH_PAGE}; ?before=<id> pages back): [{"id","text","user_id","room_id","created_at","snippet","highlights":[[start,end],...]}], highlights in UTF-16 units of snippet`,
      errors: ['invalid_query', 'invalid_before', 'invalid_limit'],
      async handler(ctx) {
        const q = ctx.query['q'];
        if (typeof q !== 'string' || q.length > MAX_QUERY_CHARACTERS) throw new V1Error(422, 'invalid_query');
        const before = pageParam(ctx.query['before'], null, Number.MAX_SAFE_INTEGER, 'invalid_before');
        const limit = pageParam(ctx.query['limit'], SEARCH_PAGE, MAX_SEARCH_PAGE, 'invalid_limit') ?? SEARCH_PAGE;
        const results = await searchMessages(deps.read, deps.search, ctx.state.caller.userId, { q, before, limit });
        if (results === null) throw new V1Error(422, 'invalid_query');
        ctx.body = results.map(({ message, snippet, highlights }) => ({
          id: message.id,
          text: message.text,
          user_id: message.sender,
          room_id: message.room,
          created_at: v1TimeOf(message.at),
          snippet,
          highlights,
        }));
      },
    },
  ];
}
