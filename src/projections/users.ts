import type { RecordedEvent } from '../events/recorded-event.js';
import type { UserRegistered } from '../events/user.js';
import type { Projection, ReadOperation } from './projection.js';

export interface UserDocument {
  _id: number;
  name: string;
  login: string | null;
  /** Lower-cased login, or name when there is no login: what lookups and search match. */
  handle: string;
  phone: string | null;
  avatar: string;
  passwordHash: string;
  registeredAt: string;
  [key: string]: unknown;
}

export const usersProjection: Projection<UserRegistered> = {
  name: 'users',
  version: 1,
  eventTypes: ['UserRegistered'],
  collections: [{ name: 'users', indexes: [{ keys: { handle: 1 } }, { keys: { phone: 1 } }] }],
  project(event: RecordedEvent<UserRegistered>): ReadOperation[] {
    const { data } = event;
    const document: UserDocument = {
      _id: data.userId,
      name: data.name,
      login: data.login,
      handle: (data.login ?? data.name).toLowerCase(),
      phone: data.phone,
      avatar: data.avatar,
      passwordHash: data.passwordHash,
      registeredAt: event.metadata.at,
    };
    return [{ collection: 'users', operation: { replaceOne: { filter: { _id: data.userId }, replacement: document, upsert: true } } }];
  },
};
