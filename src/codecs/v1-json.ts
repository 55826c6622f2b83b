import { v1MediaPath } from './media-paths.js';

/** A time as v1 writes every time: UTC `YYYY-MM-DDTHH:MM:SSZ`, without milliseconds. */
export function v1Time(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What v1 shows of a message (the history read model's document has these fields). */
export interface V1MessageSource {
  _id: number;
  room: number;
  sender: number;
  kind: string;
  text: string | null;
  mediaId: string | null;
  clientId: string | null;
  at: string;
}

/**
 * A message as v1 shows one, in history and on WebSockets alike:
 * `{"id","text","user_id","room_id","created_at"}`, plus the sender's `client_id` when it gave
 * one. A media message adds `kind` and `url`, and its `text` is the url too, so a client that
 * knows only text still shows something to follow.
 */
export function v1Message(message: V1MessageSource): Record<string, unknown> {
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
