import { v1Presence } from '../../codecs/v1/v1-json.js';
import { integerParam } from '../integer-param.js';
import type { HttpDeps } from '../http-deps.js';
import type { Route } from '../route.js';
import { V1Error } from './v1-error.js';
import type { V1State } from './v1-state.js';

export function presenceRoutes(deps: HttpDeps): Route<V1State>[] {
  return [
    {
      method: 'GET',
      path: '/users/:id/presence',
      access: 'user',
      summary:
        'A contact’s or room-sharer’s presence: {"presence":"online"|"away"|"offline","last_seen"} (last_seen: when an offline user was last connected, null when unknown or turned off); the same changes come as presence frames on /v1/stream. Anyone else is user_not_found',
      errors: ['user_not_found'],
      async handler(ctx) {
        const target = integerParam(ctx.params.id, 1);
        // A stranger learns nothing, not even that the user exists: the same answer as for nobody.
        const presence = target === null ? null : await deps.presence.of(ctx.state.caller.userId, target);
        if (!presence) throw new V1Error(404, 'user_not_found');
        ctx.body = v1Presence(presence);
      },
    },
  ];
}
