import { z } from 'zod';
import { MAX_CLIENT_ID, sendMessage } from '../../commands/message.js';
import { HISTORY_PAGE, MAX_HISTORY_PAGE, roomHistory } from '../../queries/messages.js';
import { findRoomOf } from '../../queries/rooms.js';
import { callerContext } from '../caller-context.js';
import type { HttpDeps } from '../http-deps.js';
import { integerParam } from '../integer-param.js';
import { pageParam } from './page-param.js';
import type { Route } from '../route.js';
import { jsonBody } from './json-body.js';
import { v1Message } from '../../codecs/v1/v1-json.js';
import { roomParam } from './room-param.js';
import { V1Error } from './v1-error.js';
import type { V1State } from './v1-state.js';
import { messageCollection, messageDocument } from '../../projections/messages.js';
import { changeMessage } from '../../commands/message-change.js';

const NewMessage = z.object({
  text: z.string(),
  /** The client's idempotency key: the same text to the same room again answers the first message; other content is refused. */
  client_id: z.string().min(1).max(MAX_CLIENT_ID).optional(),
});

const EditedMessage = z.object({ text: z.string() });

/** The `:mid` of a message route; an id that cannot be a message's is a message not found. */
function messageParam(text: string | undefined): number {
  const id = integerParam(text, 1);
  if (id === null) throw new V1Error(422, 'message_not_found');
  return id;
}

export function messageRoutes(deps: HttpDeps): Route<V1State>[] {
  const limit = deps.config.limits.bodyBytes;
  return [
    {
      method: 'GET',
      path: '/rooms/:id/messages',
      access: 'user',
      summary: `The newest messages, oldest first (?limit=1..${MAX_HISTORY_PAGE}, default ${HISTORY_PAGE}; ?before=<id> pages back): [{"id","text","user_id","room_id","created_at"}], media adds "kind","url"`,
      errors: ['room_not_found', 'invalid_before', 'invalid_limit'],
      async handler(ctx) {
        const roomId = roomParam(ctx.params.id);
        if (!(await findRoomOf(deps.read, roomId, ctx.state.caller.userId))) throw new V1Error(422, 'room_not_found');
        const before = pageParam(ctx.query['before'], null, Number.MAX_SAFE_INTEGER, 'invalid_before');
        const count = pageParam(ctx.query['limit'], HISTORY_PAGE, MAX_HISTORY_PAGE, 'invalid_limit') ?? HISTORY_PAGE;
        ctx.body = (await roomHistory(deps.read, roomId, { before, limit: count })).map(v1Message);
      },
    },
    {
      method: 'POST',
      path: '/rooms/:id/messages',
      access: 'user',
      summary:
        'Send a text {"text","client_id"} (1 to 10,000 characters); a retry with the same client_id (same device, room and text, within 10 minutes) answers the first, other content under it is refused: the message',
      body: NewMessage,
      errors: ['room_not_found', 'not_a_member', 'invalid_text', 'client_id_reused'],
      async handler(ctx) {
        const body = await jsonBody(ctx, NewMessage, limit);
        const { caller } = ctx.state;
        const send = {
          roomId: roomParam(ctx.params.id),
          sender: caller.userId,
          device: caller.device,
          clientId: body.client_id ?? null,
          kind: 'text' as const,
          text: body.text,
          mediaId: null,
        };
        const sent = await sendMessage(deps.store, deps.sendGuard, send, callerContext(ctx, caller), { reusedClientId: 'refused' });
        await deps.read.waitFor(sent.position);
        ctx.body = v1Message(messageDocument(sent.position, sent.data, sent.at));
      },
    },
    {
      method: 'PATCH',
      path: '/rooms/:id/messages/:mid',
      access: 'user',
      summary:
        'Edit a text message of one\'s own {"text"} (1 to 10,000 characters): the message with its new text and "edited_at"; the room\'s members get a message_edited frame on /v1/stream',
      body: EditedMessage,
      errors: ['room_not_found', 'not_a_member', 'message_not_found', 'forbidden', 'not_editable', 'invalid_text'],
      async handler(ctx) {
        const body = await jsonBody(ctx, EditedMessage, limit);
        const { caller } = ctx.state;
        const roomId = roomParam(ctx.params.id);
        const messageId = messageParam(ctx.params.mid);
        const change = { kind: 'edit' as const, text: body.text };
        const position = await changeMessage(deps.store, { change, roomId, messageId, actor: caller.userId }, callerContext(ctx, caller));
        if (position !== null) await deps.read.waitFor(position);
        const message = await messageCollection(deps.read).findOne({ _id: messageId, room: roomId });
        // Deleted between the edit and this read: it is gone, as for any later request.
        if (!message) throw new V1Error(422, 'message_not_found');
        ctx.body = v1Message(message);
      },
    },
    {
      method: 'DELETE',
      path: '/rooms/:id/messages/:mid',
      access: 'user',
      summary:
        'Delete a message: one\'s own, or any in a group one created. {"id","room_id","deleted":true}; it leaves history and search, and the room\'s members get a message_deleted frame on /v1/stream',
      errors: ['room_not_found', 'not_a_member', 'message_not_found', 'forbidden'],
      async handler(ctx) {
        const { caller } = ctx.state;
        const roomId = roomParam(ctx.params.id);
        const messageId = messageParam(ctx.params.mid);
        const change = { kind: 'delete' as const };
        const position = await changeMessage(deps.store, { change, roomId, messageId, actor: caller.userId }, callerContext(ctx, caller));
        if (position !== null) await deps.read.waitFor(position);
        ctx.body = { id: messageId, room_id: roomId, deleted: true };
      },
    },
  ];
}
