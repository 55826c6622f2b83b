import { acceptContact, removeContact, requestContact } from '../../commands/contact.js';
import { CommandRefused } from '../../commands/decider.js';
import type { TomlFrame } from '../../codecs/im/toml-frame.js';
import { requestsReceived, syncContacts } from '../../queries/contacts.js';
import { findUsers } from '../../queries/users.js';
import { callerContext } from '../caller-context.js';
import type { HttpDeps } from '../http-deps.js';
import { integerParam } from '../integer-param.js';
import type { Route } from '../route.js';
import { requireFields } from '../form-fields.js';
import { writeImAnswer } from './im-answer.js';
import { ImError, imRefusal } from '../../codecs/im/im-refusals.js';
import type { ImState } from './im-state.js';
import { imUserRow } from './user-routes.js';

export function contactRoutes(deps: HttpDeps): Route<ImState>[] {
  return [
    {
      method: 'GET',
      path: '/contact/version/:n',
      access: 'user',
      summary: 'Contact changes since version n: status 0 and version, [[user]] per contact added, [[removed]] id per contact removed',
      errors: ['Invalid version'],
      async handler(ctx) {
        const since = integerParam(ctx.params.n, 0);
        if (since === null) throw new ImError(3, 'Invalid version');
        const changes = await syncContacts(deps.read, ctx.state.caller.userId, since);
        const added = (await findUsers(deps.read, changes.added)).map(imUserRow);
        const removed = changes.removed.map((id): TomlFrame => ({ type: 'removed', fields: { id } }));
        writeImAnswer(ctx, { version: changes.version }, [...added, ...removed]);
      },
    },
    {
      method: 'POST',
      path: '/contact/:id',
      access: 'user',
      summary: 'Ask user :id to become a contact, with a greeting (ask)',
      errors: ['ask Required', 'Contact exists', 'Waiting for accept', 'Cannot add yourself', 'User Not Exist!', 'Invalid ask'],
      async handler(ctx) {
        const { ask } = requireFields(ctx, ['ask']);
        const to = integerParam(ctx.params.id, 1);
        if (to === null) throw imRefusal('user_not_found');
        const { caller } = ctx.state;
        const position = await requestContact(deps.store, { from: caller.userId, to, ask }, callerContext(ctx, caller));
        await deps.read.waitFor(position);
        writeImAnswer(ctx, {});
      },
    },
    {
      method: 'PUT',
      path: '/contact/:id',
      access: 'user',
      summary: 'Accept the request user :id sent',
      errors: ['Unauthorized operate'],
      async handler(ctx) {
        const requester = integerParam(ctx.params.id, 1);
        if (requester === null) throw imRefusal('no_request');
        const { caller } = ctx.state;
        const position = await acceptContact(deps.store, { by: caller.userId, requester }, callerContext(ctx, caller));
        await deps.read.waitFor(position);
        writeImAnswer(ctx, {});
      },
    },
    {
      method: 'DELETE',
      path: '/contact/:id',
      access: 'user',
      summary:
        'Delete contact :id, or decline its request, or cancel the request sent to it; status 0 even when there is nothing to end, as the original',
      async handler(ctx) {
        const other = integerParam(ctx.params.id, 1);
        const { caller } = ctx.state;
        if (other !== null) {
          try {
            await deps.read.waitFor(await removeContact(deps.store, { by: caller.userId, other }, callerContext(ctx, caller)));
          } catch (error) {
            if (!(error instanceof CommandRefused && error.code === 'not_a_contact')) throw error;
          }
        }
        writeImAnswer(ctx, {});
      },
    },
    {
      method: 'GET',
      path: '/pre_contact/:since',
      access: 'user',
      summary: 'Requests received at or after :since (unix seconds), oldest first: [[pre_contact]] user_id, message, timestamp',
      errors: ['Invalid timestamp'],
      async handler(ctx) {
        const since = integerParam(ctx.params.since, 0);
        if (since === null) throw new ImError(3, 'Invalid timestamp');
        const requests = await requestsReceived(deps.read, ctx.state.caller.userId, since);
        writeImAnswer(
          ctx,
          {},
          requests.map((request): TomlFrame => ({
            type: 'pre_contact',
            fields: { user_id: request.from, message: request.ask, timestamp: request.at },
          })),
        );
      },
    },
  ];
}
