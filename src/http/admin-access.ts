import type { UserId } from '../events/recorded-event.js';
import type { ReadModels } from '../projections/read-models.js';
import { findUser } from '../queries/users.js';

/**
 * Whether a user is one of the configured admins (`ESCHAT_ADMINS`), by login, whatever its
 * case (logins are unique regardless of case). Only a login counts: names are not unique, so
 * an im account that merely calls itself "root" is nobody's admin.
 */
export async function isAdmin(read: ReadModels, admins: readonly string[], userId: UserId): Promise<boolean> {
  if (admins.length === 0) return false;
  const login = (await findUser(read, userId))?.login?.toLowerCase();
  return login !== undefined && admins.some((admin) => admin.toLowerCase() === login);
}
