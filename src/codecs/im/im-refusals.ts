import type { RefusalCode } from '../../commands/refusal-code.js';

/**
 * simple_im's words for what it refuses. Over HTTP an answer is `[[response]] status = N
 * reason = "..."` (still HTTP 200); on the IM sockets a refused message is
 * `[[rr]] id s = 1 r = "..."` with the same reason.
 */
export class ImError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export const tokenError = (): ImError => new ImError(1, 'Token error');
export const required = (field: string): ImError => new ImError(3, `${field} Required`);

const groupNotExist = new ImError(3, 'Group Not Exist!');
const unauthorized = new ImError(3, 'Unauthorized');
const unauthorizedOperate = new ImError(1, 'Unauthorized operate');
const userExist = new ImError(1, 'User Exist');

/**
 * Every domain refusal in im's words, the same on every im path (HTTP and both sockets).
 * The original's reasons where it had one (A3 of original-servers.md: "Group Not Exist!",
 * "Unauthorized", "Unknow Error" with its typo, "User Exist", "Unauthorized operate"); status 3,
 * as for other bad input, and words in the same style where it had none ("User Not Exist!"
 * after "Group Not Exist!"). Null: not a client's refusal; answered as any unexpected failure.
 */
export const IM_REFUSALS: Readonly<Record<RefusalCode, ImError | null>> = {
  // Registering (POST /user). im registers no login, so `invalid_login` is only for completeness.
  invalid_login: new ImError(3, 'Invalid login'),
  invalid_name: new ImError(3, 'Invalid name'),
  invalid_phone: new ImError(3, 'Invalid phone'),
  invalid_password: new ImError(3, 'Invalid password'),
  login_taken: userExist,
  phone_taken: userExist,
  // Rooms (groups, and the direct room of /m and `[[m]]`).
  invalid_recipient: new ImError(3, 'Invalid to'),
  user_not_found: new ImError(3, 'User Not Exist!'),
  room_not_found: groupNotExist,
  wrong_key: unauthorized,
  already_member: new ImError(3, 'Unknow Error'),
  not_a_member: unauthorized,
  forbidden: unauthorized,
  // Contacts.
  cannot_add_self: new ImError(3, 'Cannot add yourself'),
  invalid_ask: new ImError(3, 'Invalid ask'),
  contact_exists: new ImError(1, 'Contact exists'),
  waiting_for_accept: new ImError(1, 'Waiting for accept'),
  no_request: unauthorizedOperate,
  not_a_contact: unauthorizedOperate,
  // Messages. Media routes name the kind instead ("Invalid audio").
  invalid_text: new ImError(3, 'Invalid text'),
  invalid_media: new ImError(3, 'Invalid media'),
  invalid_client_id: new ImError(3, 'Invalid id'),
  // im ids are not unique: a reused one is a new message there (commands/message.ts), never this refusal.
  client_id_reused: null,
  // Read markers, edits and deletes have no im route yet; words in the same style, should one come.
  message_not_found: new ImError(3, 'Message Not Exist!'),
  not_editable: new ImError(3, 'Not editable'),
  id_taken: null,
  already_taken: null,
  session_exists: null,
};

/** The im words of a refusal a route finds itself, before any command (an id that cannot name a user). */
export const imRefusal = (code: RefusalCode): ImError => IM_REFUSALS[code] ?? new ImError(99, 'Internal Error');
