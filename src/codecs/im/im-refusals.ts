import { CommandRefused } from '../../commands/decider.js';

/** An im answer that is not a success: HTTP 200, `[[response]] status = N reason = "..."`. */
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

/** Rethrows a domain refusal in im's words (by refusal code); anything else as it is. */
export function inImWords(refusals: Readonly<Record<string, ImError>>): (error: unknown) => never {
  return (error) => {
    throw error instanceof CommandRefused ? (refusals[error.code] ?? error) : error;
  };
}

export const groupNotExist = new ImError(3, 'Group Not Exist!');
export const unauthorized = new ImError(3, 'Unauthorized');
export const userNotExist = new ImError(3, 'User Not Exist!');

/** The room refusals in simple_im's reasons, typos included ("Unknow Error" is the original's). */
export const ROOM_REFUSALS: Readonly<Record<string, ImError>> = {
  room_not_found: groupNotExist,
  forbidden: unauthorized,
  wrong_key: unauthorized,
  not_a_member: unauthorized,
  already_member: new ImError(3, 'Unknow Error'),
  user_not_found: userNotExist,
  invalid_name: new ImError(3, 'Invalid name'),
  invalid_recipient: new ImError(3, 'Invalid to'),
};
