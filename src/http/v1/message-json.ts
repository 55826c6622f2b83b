import type { MessageDocument } from '../../queries/messages.js';
import { v1MediaPath } from '../../queries/media.js';
import { v1Time } from './v1-time.js';

/**
 * A message as v1 shows one: `{"id","text","user_id","room_id","created_at"}`, plus the
 * sender's `client_id` when it gave one. A media message adds `kind` and `url`, and its `text`
 * is the url too, so a client that knows only text still shows something to follow.
 */
export function v1Message(message: MessageDocument) {
  const json = {
    id: message._id,
    text: message.text ?? '',
    user_id: message.sender,
    room_id: message.room,
    created_at: v1Time(new Date(message.at)),
    ...(message.clientId === null ? {} : { client_id: message.clientId }),
  };
  if (message.kind === 'text' || message.mediaId === null) return json;
  const url = v1MediaPath(message.mediaId);
  return { ...json, text: url, kind: message.kind, url };
}
