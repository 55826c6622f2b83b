import type { RefusalCode } from '../../commands/refusal-code.js';

/**
 * Every error code a v1 client may read in `{"error":{"code":"..."}}`, over HTTP and on the
 * v1 sockets: a closed set, so no code reaches a client that the OpenAPI document and this
 * list do not name.
 */
export type V1ErrorCode =
  // A command's refusal (V1_REFUSALS).
  | 'user_already_exists'
  | 'invalid_login'
  | 'invalid_name'
  | 'invalid_phone'
  | 'invalid_password'
  | 'invalid_recipient'
  | 'user_not_found'
  | 'room_not_found'
  | 'wrong_key'
  | 'already_member'
  | 'not_a_member'
  | 'forbidden'
  | 'cannot_add_self'
  | 'invalid_ask'
  | 'contact_exists'
  | 'waiting_for_accept'
  | 'no_request'
  | 'not_a_contact'
  | 'invalid_text'
  | 'invalid_media'
  | 'invalid_client_id'
  | 'client_id_reused'
  | 'message_not_found'
  | 'not_editable'
  // Requests: bodies, parameters, sign-in, access, media, the admin routes.
  | 'invalid_json'
  | 'invalid_before'
  | 'invalid_query'
  | 'invalid_limit'
  | 'invalid_since'
  | 'invalid_at'
  | 'wrong_credentials'
  | 'unauthorized'
  | 'forbidden_origin'
  | 'rate_limited'
  | 'payload_too_large'
  | 'missing_file'
  | 'not_found'
  | 'media_not_found'
  | 'stream_not_found'
  | 'range_not_satisfiable'
  | 'unknown_projection'
  | 'rebuild_in_progress'
  // Sockets: a frame v1 does not read, an acknowledgement of nothing sent, a presence other than away or online.
  | 'binary_frame'
  | 'unknown_frame'
  | 'unknown_cursor'
  | 'invalid_presence'
  | 'internal_error';

/**
 * Every domain refusal in v1's words: mostly the code itself; e_chat_server's
 * `user_already_exists` for a taken login (or phone). Null: not a client's refusal; answered
 * as any unexpected failure (HTTP 500 `internal_error`, logged).
 */
export const V1_REFUSALS: Readonly<Record<RefusalCode, V1ErrorCode | null>> = {
  invalid_login: 'invalid_login',
  invalid_name: 'invalid_name',
  invalid_phone: 'invalid_phone',
  invalid_password: 'invalid_password',
  login_taken: 'user_already_exists',
  phone_taken: 'user_already_exists',
  invalid_recipient: 'invalid_recipient',
  user_not_found: 'user_not_found',
  room_not_found: 'room_not_found',
  wrong_key: 'wrong_key',
  already_member: 'already_member',
  not_a_member: 'not_a_member',
  forbidden: 'forbidden',
  cannot_add_self: 'cannot_add_self',
  invalid_ask: 'invalid_ask',
  contact_exists: 'contact_exists',
  waiting_for_accept: 'waiting_for_accept',
  no_request: 'no_request',
  not_a_contact: 'not_a_contact',
  invalid_text: 'invalid_text',
  invalid_media: 'invalid_media',
  invalid_client_id: 'invalid_client_id',
  client_id_reused: 'client_id_reused',
  message_not_found: 'message_not_found',
  not_editable: 'not_editable',
  id_taken: null,
  already_taken: null,
  session_exists: null,
};

/** v1's error body, the only shape a v1 error is written in. */
export const v1ErrorBody = (code: V1ErrorCode): { error: { code: V1ErrorCode } } => ({ error: { code } });
