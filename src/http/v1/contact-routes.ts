import { z } from 'zod';
import { acceptContact, removeContact, requestContact } from '../../commands/contact.js';
import type { UserId } from '../../events/recorded-event.js';
import { requestsReceived, requestsSent, syncContacts, type ContactRequestDocument } from '../../queries/contacts.js';
import { findUsers, type PublicUser } from '../../queries/users.js';
import { callerContext } from '../caller-context.js';
import type { HttpDeps } from '../http-deps.js';
import { integerParam } from '../integer-param.js';
import type { Route } from '../route.js';
import { jsonBody } from './json-body.js';
import { v1User } from './user-routes.js';
import { V1Error } from './v1-error.js';
import type { V1ErrorCode } from '../../codecs/v1/v1-error-codes.js';
import type { V1State } from './v1-state.js';
import { v1Time } from '../../codecs/v1/v1-json.js';

const AskBody = z.object({
  /** The greeting the other user sees with the request; up to 100 characters. */
  ask: z.string().optional(),
});

/** A contact as v1 shows one: the user, with what im clients see of it too. */
function v1Contact(user: PublicUser): { id: number; login: string; name: string; phone: string | null; avatar: string } {
  return { ...v1User(user), name: user.name, phone: user.phone, avatar: user.avatar };
}

/** A pending request, named by the other party (the sender of one received, the target of one sent). */
function v1Request(request: ContactRequestDocument, other: UserId, users: ReadonlyMap<UserId, PublicUser>) {
  const user = users.get(other);
  return { user_id: other, login: user ? v1User(user).login : '', ask: request.ask, at: v1Time(new Date(request.at * 1000)) };
}

/** The `:id` of a route, or the refusal that an unknown user earns there. */
function userIdOf(text: string | undefined, refusal: V1ErrorCode): UserId {
  const id = integerParam(text, 1);
  if (id === null) throw new V1Error(422, refusal);
  return id;
}

export function contactRoutes(deps: HttpDeps): Route<V1State>[] {
  const limit = deps.config.limits.bodyBytes;
  return [
    {
      method: 'GET',
      path: '/contacts',
      access: 'user',
      summary:
        'Contact changes since version ?since=N (default 0: everything): {"version","contacts":[{"id","login","name","phone","avatar"}],"removed":[ids]}',
      errors: ['invalid_since'],
      async handler(ctx) {
        const since = ctx.query['since'] === undefined ? 0 : integerParam(ctx.query['since'], 0);
        if (since === null) throw new V1Error(422, 'invalid_since');
        const changes = await syncContacts(deps.read, ctx.state.caller.userId, since);
        const contacts = (await findUsers(deps.read, changes.added)).map(v1Contact);
        ctx.body = { version: changes.version, contacts, removed: changes.removed };
      },
    },
    {
      method: 'GET',
      path: '/contacts/requests',
      access: 'user',
      summary: 'Pending requests, oldest first: {"received":[{"user_id","login","ask","at"}],"sent":[...]}; user_id is the other party',
      async handler(ctx) {
        const me = ctx.state.caller.userId;
        const [received, sent] = await Promise.all([requestsReceived(deps.read, me), requestsSent(deps.read, me)]);
        const others = await findUsers(deps.read, [...received.map((request) => request.from), ...sent.map((request) => request.to)]);
        const users = new Map(others.map((user) => [user._id, user]));
        ctx.body = {
          received: received.map((request) => v1Request(request, request.from, users)),
          sent: sent.map((request) => v1Request(request, request.to, users)),
        };
      },
    },
    {
      method: 'POST',
      path: '/contacts/:id',
      access: 'user',
      summary: 'Ask user :id to become a contact, with an optional greeting {"ask"}: {}',
      body: AskBody,
      errors: ['contact_exists', 'waiting_for_accept', 'cannot_add_self', 'user_not_found', 'invalid_ask'],
      async handler(ctx) {
        const { ask = '' } = await jsonBody(ctx, AskBody, limit);
        const to = userIdOf(ctx.params.id, 'user_not_found');
        const { caller } = ctx.state;
        await deps.read.waitFor(await requestContact(deps.store, { from: caller.userId, to, ask }, callerContext(ctx, caller)));
        ctx.body = {};
      },
    },
    {
      method: 'PUT',
      path: '/contacts/:id',
      access: 'user',
      summary: 'Accept the request user :id sent: {}',
      errors: ['no_request'],
      async handler(ctx) {
        const requester = userIdOf(ctx.params.id, 'no_request');
        const { caller } = ctx.state;
        await deps.read.waitFor(await acceptContact(deps.store, { by: caller.userId, requester }, callerContext(ctx, caller)));
        ctx.body = {};
      },
    },
    {
      method: 'DELETE',
      path: '/contacts/:id',
      access: 'user',
      summary: 'Delete contact :id, or decline its request, or cancel the request sent to it: {}',
      errors: ['not_a_contact'],
      async handler(ctx) {
        const other = userIdOf(ctx.params.id, 'not_a_contact');
        const { caller } = ctx.state;
        await deps.read.waitFor(await removeContact(deps.store, { by: caller.userId, other }, callerContext(ctx, caller)));
        ctx.body = {};
      },
    },
  ];
}
