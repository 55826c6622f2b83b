import { z } from 'zod';
import { addMember, createGroup, deleteRoom, joinRoom, leaveRoom, newRoomKey, removeMember, rotateRoomKey } from '../../commands/room.js';
import type { UserId } from '../../events/recorded-event.js';
import type { RoomId } from '../../events/room.js';
import { readStatesOf } from '../../queries/read-state.js';
import { findGroupWithMembers, findRoom, roomsOf, type RoomDocument } from '../../queries/rooms.js';
import { findUsers } from '../../queries/users.js';
import { callerContext } from '../caller-context.js';
import { openDirectRoom } from '../../use-cases/direct-room.js';
import type { HttpDeps } from '../http-deps.js';
import { integerParam } from '../integer-param.js';
import type { Route, RouteContext } from '../route.js';
import { jsonBody } from './json-body.js';
import { callerRoom, roomParam } from './room-param.js';
import { v1Rooms } from './room-json.js';
import { V1Error } from './v1-error.js';
import type { V1State } from './v1-state.js';

/** Most people one request names: a bound on the work one body can cause. */
const MAX_USERS = 1000;
const userId = z.number().int().positive();

const FindOrCreate = z.object({
  /** The seed's shape: `login` is ignored, ids count. */
  users: z.array(z.object({ id: userId, login: z.string().optional() })).max(MAX_USERS),
});
const NewGroup = z.object({ name: z.string(), members: z.array(userId).max(MAX_USERS).default([]) });
const Membership = z.union([z.object({ key: z.string().max(256) }), z.object({ user_id: userId })]);

export function roomRoutes(deps: HttpDeps): Route<V1State>[] {
  const limit = deps.config.limits.bodyBytes;

  /** The room as v1 shows it, once the read model has caught up with `position`. */
  async function roomAfter(roomId: RoomId, position: number) {
    await deps.read.waitFor(position);
    const room = await findRoom(deps.read, roomId);
    if (!room) throw new V1Error(422, 'room_not_found');
    const [json] = await v1Rooms(deps.read, [room]);
    return json;
  }

  /** The room of exactly the caller and `others`, found or created, and the position to wait for. */
  async function roomWith(ctx: RouteContext<V1State>, others: UserId[]): Promise<{ roomId: RoomId; position: number }> {
    const me = ctx.state.caller.userId;
    const context = callerContext(ctx, ctx.state.caller);
    const [only, ...more] = others;
    if (only !== undefined && more.length === 0) return { roomId: await openDirectRoom(deps, me, only, context), position: 0 };
    const existing = await findGroupWithMembers(deps.read, [me, ...others]);
    if (existing) return { roomId: existing._id, position: 0 };
    return createGroup(deps.store, deps.roomIds, { name: null, creator: me, members: others, key: null }, context);
  }

  /** Rooms as v1 shows them, each with where the caller read up to (null: nothing yet) and how many messages of others follow. */
  async function withReadState(me: UserId, rooms: RoomDocument[]) {
    const [json, states] = await Promise.all([
      v1Rooms(deps.read, rooms),
      readStatesOf(
        deps.read,
        me,
        rooms.map((room) => room._id),
      ),
    ]);
    return json.map((room) => {
      const state = states.get(room.id);
      return { ...room, read_up_to: state?.readUpTo ?? null, unread: state?.unread ?? 0 };
    });
  }

  return [
    {
      method: 'GET',
      path: '/rooms',
      access: 'user',
      summary:
        'The rooms the caller is in, with the caller’s read state: [{"id","users":[{"id","login"}],"kind","name","creator","key","read_up_to","unread"}]',
      async handler(ctx) {
        ctx.body = await withReadState(ctx.state.caller.userId, await roomsOf(deps.read, ctx.state.caller.userId));
      },
    },
    {
      method: 'POST',
      path: '/rooms',
      access: 'user',
      summary: 'The room of exactly the caller and these users, found or created (one other user: the direct room): {"id","users"}',
      body: FindOrCreate,
      errors: ['user_not_found'],
      async handler(ctx) {
        const body = await jsonBody(ctx, FindOrCreate, limit);
        const me = ctx.state.caller.userId;
        const others = [...new Set(body.users.map((user) => user.id))].filter((id) => id !== me);
        if ((await findUsers(deps.read, others)).length !== others.length) throw new V1Error(422, 'user_not_found');
        const { roomId, position } = await roomWith(ctx, others);
        ctx.body = await roomAfter(roomId, position);
      },
    },
    {
      method: 'GET',
      path: '/rooms/:id',
      access: 'user',
      summary: 'A room the caller is in, with the caller’s read state: {"id","users",...,"read_up_to","unread"}',
      errors: ['room_not_found'],
      async handler(ctx) {
        const room = await callerRoom(deps.read, ctx.params.id, ctx.state.caller.userId);
        ctx.body = (await withReadState(ctx.state.caller.userId, [room]))[0];
      },
    },
    {
      method: 'DELETE',
      path: '/rooms/:id',
      access: 'user',
      summary: 'Delete a group (its creator only): {}',
      errors: ['room_not_found', 'forbidden'],
      async handler(ctx) {
        const { caller } = ctx.state;
        const result = await deleteRoom(deps.store, { roomId: roomParam(ctx.params.id), by: caller.userId }, callerContext(ctx, caller));
        await deps.read.waitFor(result.position);
        ctx.body = {};
      },
    },
    {
      method: 'POST',
      path: '/rooms/:id/members',
      access: 'user',
      summary: 'Join a group with its invite key {"key"}, or add a user to a group you created {"user_id"}: the room',
      body: Membership,
      errors: ['room_not_found', 'wrong_key', 'already_member', 'forbidden', 'user_not_found'],
      async handler(ctx) {
        const body = await jsonBody(ctx, Membership, limit);
        const { caller } = ctx.state;
        const roomId = roomParam(ctx.params.id);
        const context = callerContext(ctx, caller);
        const result =
          'key' in body
            ? await joinRoom(deps.store, { roomId, userId: caller.userId, key: body.key }, context)
            : await addMember(deps.store, { roomId, by: caller.userId, userId: body.user_id }, context);
        ctx.body = await roomAfter(roomId, result.position);
      },
    },
    {
      method: 'DELETE',
      path: '/rooms/:id/members/:uid',
      access: 'user',
      summary: 'Leave a group (:uid is "me" or your id), or remove a member from a group you created: {}',
      errors: ['room_not_found', 'not_a_member', 'forbidden'],
      async handler(ctx) {
        const { caller } = ctx.state;
        const roomId = roomParam(ctx.params.id);
        const context = callerContext(ctx, caller);
        const uid = ctx.params.uid === 'me' ? caller.userId : integerParam(ctx.params.uid, 1);
        if (uid === null) throw new V1Error(422, 'not_a_member');
        const result =
          uid === caller.userId
            ? await leaveRoom(deps.store, { roomId, userId: uid }, context)
            : await removeMember(deps.store, { roomId, by: caller.userId, userId: uid }, context);
        await deps.read.waitFor(result.position);
        ctx.body = {};
      },
    },
    {
      method: 'POST',
      path: '/rooms/:id/key',
      access: 'user',
      summary: 'Replace the invite key of a group you created; the old one stops working: {"id","key"}',
      errors: ['room_not_found', 'forbidden'],
      async handler(ctx) {
        const { caller } = ctx.state;
        const result = await rotateRoomKey(deps.store, { roomId: roomParam(ctx.params.id), by: caller.userId }, callerContext(ctx, caller));
        await deps.read.waitFor(result.position);
        ctx.body = { id: result.roomId, key: result.state.key };
      },
    },
    {
      method: 'POST',
      path: '/groups',
      access: 'user',
      summary: 'Create a named group with an invite key; the caller is its creator and a member: {"id","name","key","users"}',
      body: NewGroup,
      errors: ['invalid_name', 'user_not_found'],
      async handler(ctx) {
        const body = await jsonBody(ctx, NewGroup, limit);
        const { caller } = ctx.state;
        const group = { name: body.name, creator: caller.userId, members: body.members, key: newRoomKey() };
        const result = await createGroup(deps.store, deps.roomIds, group, callerContext(ctx, caller));
        ctx.body = await roomAfter(result.roomId, result.position);
      },
    },
  ];
}
