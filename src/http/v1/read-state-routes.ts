import { z } from 'zod';
import { markRoomRead, setReadReceipts, type ReadFacts } from '../../commands/read-state.js';
import type { Position } from '../../events/recorded-event.js';
import type { RoomId } from '../../events/room.js';
import { isMessageOf, readMarker, roomReceipts, sharesReceipts, unreadCount } from '../../queries/read-state.js';
import { callerContext } from '../caller-context.js';
import type { HttpDeps } from '../http-deps.js';
import { TYPING_INTERVAL_MS, TYPING_MS } from '../../use-cases/typing.js';
import type { Route } from '../route.js';
import { jsonBody } from './json-body.js';
import { callerRoom, roomParam } from './room-param.js';
import type { V1State } from './v1-state.js';

const MarkRead = z.object({ message_id: z.number().int().positive() });
const TypingBody = z.object({ typing: z.boolean().default(true) });
const Settings = z.object({ read_receipts: z.boolean() });

/** How long a mark waits for a message it does not find yet: one the stream delivered before the history read model applied it. */
const MESSAGE_WAIT_MS = 2000;

export function readStateRoutes(deps: HttpDeps): Route<V1State>[] {
  const limit = deps.config.limits.bodyBytes;
  const facts: ReadFacts = {
    refusal: (roomId, userId) => deps.sendGuard.refusal(roomId, userId),
    async isMessageOf(roomId: RoomId, messageId: Position) {
      if (await isMessageOf(deps.read, roomId, messageId)) return true;
      return (await deps.read.waitFor(messageId, MESSAGE_WAIT_MS)) && isMessageOf(deps.read, roomId, messageId);
    },
    marker: (userId, roomId) => readMarker(deps.read, userId, roomId),
    receipts: (userId) => sharesReceipts(deps.read, userId),
  };

  return [
    {
      method: 'POST',
      path: '/rooms/:id/read',
      access: 'user',
      summary:
        'Mark the room read up to a message {"message_id"}; the marker only moves forward (a mark behind it changes nothing): {"room_id","read_up_to","unread"}',
      body: MarkRead,
      errors: ['room_not_found', 'not_a_member', 'message_not_found'],
      async handler(ctx) {
        const body = await jsonBody(ctx, MarkRead, limit);
        const { caller } = ctx.state;
        const roomId = roomParam(ctx.params.id);
        const mark = { roomId, userId: caller.userId, upTo: body.message_id };
        const marked = await markRoomRead(deps.store, facts, mark, callerContext(ctx, caller));
        ctx.body = { room_id: roomId, read_up_to: marked.upTo, unread: await unreadCount(deps.read, caller.userId, roomId, marked.upTo) };
      },
    },
    {
      method: 'GET',
      path: '/rooms/:id/receipts',
      access: 'user',
      summary: 'Where the members who share read receipts have read the room up to: [{"user_id","read_up_to"}]',
      errors: ['room_not_found'],
      async handler(ctx) {
        const room = await callerRoom(deps.read, ctx.params.id, ctx.state.caller.userId);
        const receipts = await roomReceipts(deps.read, room._id, room.members);
        ctx.body = receipts.map((receipt) => ({ user_id: receipt.userId, read_up_to: receipt.readUpTo }));
      },
    },
    {
      method: 'POST',
      path: '/rooms/:id/typing',
      access: 'user',
      summary: `Tell the room's other members the caller is typing {"typing":true} (shown ${TYPING_MS / 1000} s unless repeated) or stopped {"typing":false}; one per room per ${TYPING_INTERVAL_MS / 1000} s per session is sent, more are dropped: {"sent"}`,
      body: TypingBody,
      errors: ['room_not_found', 'not_a_member'],
      async handler(ctx) {
        const body = await jsonBody(ctx, TypingBody, limit);
        const { caller } = ctx.state;
        ctx.body = { sent: await deps.typing.signal(`session:${caller.sessionId}`, caller.userId, roomParam(ctx.params.id), body.typing) };
      },
    },
    {
      method: 'GET',
      path: '/me/settings',
      access: 'user',
      summary: 'The caller’s settings: {"read_receipts"}',
      async handler(ctx) {
        ctx.body = { read_receipts: await sharesReceipts(deps.read, ctx.state.caller.userId) };
      },
    },
    {
      method: 'PUT',
      path: '/me/settings',
      access: 'user',
      summary: 'Change the caller’s settings {"read_receipts"} (false: others are not told where the caller read up to): {"read_receipts"}',
      body: Settings,
      async handler(ctx) {
        const body = await jsonBody(ctx, Settings, limit);
        const { caller } = ctx.state;
        const current = await sharesReceipts(deps.read, caller.userId);
        const change = { userId: caller.userId, enabled: body.read_receipts, current };
        const position = await setReadReceipts(deps.store, change, callerContext(ctx, caller));
        // The next mark reads the setting from the read model: it must see this one.
        if (position !== null) await deps.read.waitFor(position);
        ctx.body = { read_receipts: body.read_receipts };
      },
    },
  ];
}
