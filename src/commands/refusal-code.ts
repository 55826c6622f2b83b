/**
 * Every reason a command may be refused, as closed sets per area. Each wire dialect has a
 * table keyed by RefusalCode (codecs/im/im-refusals.ts, codecs/v1/v1-error-codes.ts), so a new
 * code does not compile until both dialects say it.
 */

/** Registering a user: the rules both dialects share, and a login or phone someone holds. */
export type UserRefusal = 'invalid_login' | 'invalid_name' | 'invalid_phone' | 'invalid_password' | 'login_taken' | 'phone_taken';

/** Creating, opening, joining, leaving and managing rooms. */
export type RoomRefusal =
  | 'invalid_name'
  | 'invalid_recipient'
  | 'user_not_found'
  | 'room_not_found'
  | 'wrong_key'
  | 'already_member'
  | 'not_a_member'
  | 'forbidden';

/** Asking, accepting, declining and ending contacts. */
export type ContactRefusal =
  'cannot_add_self' | 'invalid_ask' | 'user_not_found' | 'contact_exists' | 'waiting_for_accept' | 'no_request' | 'not_a_contact';

/** Why a sender may not send to a room, as the send guard answers it. */
export type SendRefusal = 'room_not_found' | 'not_a_member';

/** Sending a message, text or media. */
export type MessageRefusal = SendRefusal | 'invalid_text' | 'invalid_media' | 'invalid_client_id' | 'client_id_reused';

/** Marking a room read: the room's refusals, and a marker on no message of the room. */
export type ReadRefusal = SendRefusal | 'message_not_found';

/**
 * Editing or deleting a message: one that is not there (or deleted) is not found; someone
 * else's is `forbidden`; a media message has no text to edit.
 */
export type MessageChangeRefusal = SendRefusal | 'message_not_found' | 'forbidden' | 'not_editable' | 'invalid_text';

/**
 * Refusals the commands settle themselves and no client should meet: a fresh id someone took
 * (tried again with another), a reservation held (reported as `login_taken`/`phone_taken`), a
 * session id drawn twice. Should one escape, each dialect answers it as an internal error.
 */
export type InternalRefusal = 'id_taken' | 'already_taken' | 'session_exists';

export type RefusalCode =
  UserRefusal | RoomRefusal | ContactRefusal | MessageRefusal | MessageChangeRefusal | ReadRefusal | InternalRefusal;
