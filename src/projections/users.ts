import type { RecordedEvent } from '../events/recorded-event.js';
import { ERASED_NAME } from '../events/personal-data.js';
import type { UserErased, UserRegistered } from '../events/user.js';
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

export const usersProjection: Projection<UserRegistered | UserErased> = {
  name: 'users',
  version: 1,
  eventTypes: ['UserRegistered', 'UserErased'],
  collections: [{ name: 'users', indexes: [{ keys: { handle: 1 } }, { keys: { phone: 1 } }] }],
  project(event: RecordedEvent<UserRegistered | UserErased>): ReadOperation[] {
    if (event.type === 'UserErased') {
      // What a rebuild makes of the registration once the key is gone (events/personal-data.ts), in place.
      const erased = { name: ERASED_NAME, login: null, handle: ERASED_NAME, phone: null, avatar: '' };
      return [{ collection: 'users', operation: { updateOne: { filter: { _id: event.data.userId }, update: { $set: erased } } } }];
    }
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
