import type { UserId } from '../events/recorded-event.js';
import type { ReadModels } from '../projections/read-models.js';
import type { UserDocument } from '../projections/users.js';

export type { UserDocument };

const users = (read: ReadModels) => read.collection<UserDocument>('users', 'users');

export function findUser(read: ReadModels, id: UserId): Promise<UserDocument | null> {
  return users(read).findOne({ _id: id });
}

/** What lists of users show of each: never the password hash, and only what is copied out. */
export type PublicUser = Pick<UserDocument, '_id' | 'name' | 'login' | 'phone' | 'avatar'>;

const PUBLIC_FIELDS = { name: 1, login: 1, phone: 1, avatar: 1 } as const;

/** The users of `ids` that exist, by id. Sorted here: numeric ids need no store's general sort. */
export async function findUsers(read: ReadModels, ids: readonly UserId[]): Promise<PublicUser[]> {
  const found = (await users(read).find({ _id: { $in: [...ids] } }, { projection: PUBLIC_FIELDS })) as PublicUser[];
  return found.sort((a, b) => a._id - b._id);
}

/** The highest user id the users read model holds: what seeds the id allocator (id-allocator.ts). */
export async function highestUserId(read: ReadModels): Promise<number> {
  return (await users(read).findOne({}, { sort: { _id: -1 }, projection: { _id: 1 } }))?._id ?? 0;
}

export function findUserByPhone(read: ReadModels, phone: string): Promise<UserDocument | null> {
  return users(read).findOne({ phone });
}

export function findUserByLogin(read: ReadModels, login: string): Promise<UserDocument | null> {
  return users(read).findOne({ handle: login.toLowerCase(), login: { $ne: null } });
}

/** How both dialects sign in: a login, or else a phone number, identifies the account. */
export async function findUserBySignIn(read: ReadModels, identifier: string): Promise<UserDocument | null> {
  return (await findUserByLogin(read, identifier)) ?? (await findUserByPhone(read, identifier));
}

/** Case-insensitive substring of the login (or name); at most `limit`, by id. */
export function searchUsers(read: ReadModels, text: string, limit = 50): Promise<UserDocument[]> {
  const pattern = text.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return users(read).find({ handle: { $regex: pattern } }, { sort: { _id: 1 }, limit });
}
