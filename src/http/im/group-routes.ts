import { CommandRefused } from '../../commands/decider.js';
import { addMember, createGroup, deleteRoom, joinRoom, leaveRoom, newRoomKey } from '../../commands/room.js';
import type { RoomId } from '../../events/room.js';
import { callerContext } from '../caller-context.js';
import type { HttpDeps } from '../http-deps.js';
import { integerParam } from '../integer-param.js';
import type { Route } from '../route.js';
import { formFields, requireFields } from '../form-fields.js';
import { writeImAnswer } from './im-answer.js';
import { ImError, imRefusal } from '../../codecs/im/im-refusals.js';
import type { ImState } from './im-state.js';

/** The `:gid` of a group route; what cannot be a group id names no group. */
function groupParam(text: string | undefined): RoomId {
  const id = integerParam(text, 1);
  if (id === null) throw imRefusal('room_not_found');
  return id;
}

/** simple_im's groups are rooms: a group id is a room id, in either dialect. */
export function groupRoutes(deps: HttpDeps): Route<ImState>[] {
  return [
    {
      method: 'POST',
      path: '/group',
      access: 'user',
      summary: 'Create a group with name and members[]: status 0 and [response.group] id, key',
      errors: ['name Required', 'members Required!', 'Invalid name', 'User Not Exist!'],
      async handler(ctx) {
        const { name } = requireFields(ctx, ['name']);
        const given = formFields(ctx, 'members');
        if (given.length === 0) throw new ImError(3, 'members Required!');
        const members = given.map((text) => integerParam(text, 1)).filter((id): id is number => id !== null);
        if (members.length !== given.length) throw imRefusal('user_not_found');
        const { caller } = ctx.state;
        const group = { name, creator: caller.userId, members, key: newRoomKey() };
        const result = await createGroup(deps.store, deps.roomIds, group, callerContext(ctx, caller));
        await deps.read.waitFor(result.position);
        writeImAnswer(ctx, { group: { id: result.roomId, key: group.key } });
      },
    },
    {
      method: 'DELETE',
      path: '/group/:gid',
      access: 'user',
      summary: 'Delete a group (its creator only)',
      errors: ['Group Not Exist!', 'Unauthorized'],
      async handler(ctx) {
        const { caller } = ctx.state;
        const result = await deleteRoom(deps.store, { roomId: groupParam(ctx.params.gid), by: caller.userId }, callerContext(ctx, caller));
        await deps.read.waitFor(result.position);
        writeImAnswer(ctx, {});
      },
    },
    {
      method: 'POST',
      path: '/group/:gid/member',
      access: 'user',
      summary: 'Join a group with its key (g_key)',
      errors: ['g_key Required', 'Group Not Exist!', 'Unauthorized', 'Unknow Error'],
      async handler(ctx) {
        const { g_key: key } = requireFields(ctx, ['g_key']);
        const { caller } = ctx.state;
        const join = { roomId: groupParam(ctx.params.gid), userId: caller.userId, key };
        const result = await joinRoom(deps.store, join, callerContext(ctx, caller));
        await deps.read.waitFor(result.position);
        writeImAnswer(ctx, {});
      },
    },
    {
      method: 'POST',
      path: '/group/:gid/member/:uid',
      access: 'user',
      summary: 'Add user :uid to a group you created',
      errors: ['Group Not Exist!', 'Unauthorized', 'Unknow Error', 'User Not Exist!'],
      async handler(ctx) {
        const roomId = groupParam(ctx.params.gid);
        const userId = integerParam(ctx.params.uid, 1);
        if (userId === null) throw imRefusal('user_not_found');
        const { caller } = ctx.state;
        const result = await addMember(deps.store, { roomId, by: caller.userId, userId }, callerContext(ctx, caller));
        await deps.read.waitFor(result.position);
        writeImAnswer(ctx, {});
      },
    },
    {
      method: 'DELETE',
      path: '/group/:gid/member',
      access: 'user',
      summary: 'Leave a group: status 0 even when not in it, as the original',
      async handler(ctx) {
        const { caller } = ctx.state;
        const roomId = integerParam(ctx.params.gid, 1);
        if (roomId !== null) {
          const left = await leaveRoom(deps.store, { roomId, userId: caller.userId }, callerContext(ctx, caller)).catch(
            (error: unknown) => {
              if (error instanceof CommandRefused) return null;
              throw error;
            },
          );
          if (left) await deps.read.waitFor(left.position);
        }
        writeImAnswer(ctx, {});
      },
    },
  ];
}
