import type { RecordedEvent } from '../events/recorded-event.js';
import { sessionEventTypes, type SessionEvent } from '../events/session.js';
import type { UserErased } from '../events/user.js';
import type { Projection, ReadOperation } from './projection.js';

/** Live sessions by token hash: what authentication looks up on every request. */
export interface SessionDocument {
  _id: string;
  sessionId: string;
  userId: number;
  device: string;
  dialect: string;
  startedAt: string;
  [key: string]: unknown;
}

export const sessionsProjection: Projection<SessionEvent | UserErased> = {
  name: 'sessions',
  version: 1,
  eventTypes: [...sessionEventTypes, 'UserErased'],
  collections: [{ name: 'sessions', indexes: [{ keys: { sessionId: 1 } }, { keys: { userId: 1 } }] }],
  project(event: RecordedEvent<SessionEvent | UserErased>): ReadOperation[] {
    // An erased person is signed out everywhere: their tokens stop working.
    if (event.type === 'UserErased')
      return [{ collection: 'sessions', operation: { deleteMany: { filter: { userId: event.data.userId } } } }];
    if (event.type === 'SessionEnded') {
      return [{ collection: 'sessions', operation: { deleteOne: { filter: { sessionId: event.data.sessionId } } } }];
    }
    const { data } = event;
    const document: SessionDocument = {
      _id: data.tokenHash,
      sessionId: data.sessionId,
      userId: data.userId,
      device: data.device,
      dialect: data.dialect,
      startedAt: event.metadata.at,
    };
    return [
      { collection: 'sessions', operation: { replaceOne: { filter: { _id: data.tokenHash }, replacement: document, upsert: true } } },
    ];
  },
};
