import { contactEventTypes, type ContactEvent } from '../events/contact.js';
import { ERASED_TEXT } from '../events/personal-data.js';
import type { UserErased } from '../events/user.js';
import type { Position, RecordedEvent, UserId } from '../events/recorded-event.js';
import type { Projection, ReadOperation } from './projection.js';

/**
 * One side of a pair as its owner's contact list sees it. A removed contact stays as a
 * tombstone, so that a client syncing from an older version learns about the removal (the
 * original deleted the row and never told anyone). `version` is the global position of the
 * last event that changed this entry: monotonic, the same after a rebuild, and the owner's
 * version is the highest of them.
 */
export interface ContactDocument {
  /** `<owner>:<contact>` */
  _id: string;
  owner: UserId;
  contact: UserId;
  state: 'contact' | 'removed';
  version: Position;
  [key: string]: unknown;
}

/** A request waiting for its target's answer. */
export interface ContactRequestDocument {
  /** `<from>:<to>` */
  _id: string;
  from: UserId;
  to: UserId;
  ask: string;
  /** Unix seconds, when it was asked. */
  at: number;
  [key: string]: unknown;
}

export const CONTACTS = 'contacts';
export const REQUESTS = 'requests';

export const contactKey = (owner: UserId, contact: UserId): string => `${owner}:${contact}`;
export const requestKey = (from: UserId, to: UserId): string => `${from}:${to}`;

export const contactsProjection: Projection<ContactEvent | UserErased> = {
  name: 'contacts',
  version: 1,
  eventTypes: [...contactEventTypes, 'UserErased'],
  collections: [
    { name: CONTACTS, indexes: [{ keys: { owner: 1, version: 1 } }] },
    { name: REQUESTS, indexes: [{ keys: { to: 1, at: 1 } }, { keys: { from: 1 } }] },
  ],
  project(event: RecordedEvent<ContactEvent | UserErased>): ReadOperation[] {
    switch (event.type) {
      case 'UserErased':
        // Their pending requests stay (the other side may still answer), their greeting goes.
        return [
          {
            collection: REQUESTS,
            operation: { updateMany: { filter: { from: event.data.userId }, update: { $set: { ask: ERASED_TEXT } } } },
          },
        ];
      case 'ContactRequested': {
        const { from, to, ask } = event.data;
        const document: ContactRequestDocument = {
          _id: requestKey(from, to),
          from,
          to,
          ask,
          at: Math.floor(Date.parse(event.metadata.at) / 1000),
        };
        return [
          { collection: REQUESTS, operation: { replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } } },
        ];
      }
      case 'ContactAccepted': {
        const { by, requester } = event.data;
        return [answered(requester, by), ...bothSides(by, requester, 'contact', event.position)];
      }
      case 'ContactDeclined':
        return [answered(event.data.requester, event.data.by)];
      case 'ContactRequestCancelled':
        return [answered(event.data.by, event.data.target)];
      case 'ContactDeleted':
        return bothSides(event.data.by, event.data.other, 'removed', event.position);
    }
  },
};

/**
 * A request is gone once answered or withdrawn. Setting and deleting by key converge when the
 * runner delivers a batch again, since it redelivers in order.
 */
function answered(from: UserId, to: UserId): ReadOperation {
  return { collection: REQUESTS, operation: { deleteOne: { filter: { _id: requestKey(from, to) } } } };
}

function bothSides(a: UserId, b: UserId, state: ContactDocument['state'], position: Position): ReadOperation[] {
  return [...side(a, b, state, position), ...side(b, a, state, position)];
}

/**
 * Creates the entry if needed (version 0: never reported), then changes it only if this event
 * is newer than its last change: an event delivered again never turns a version back, nor a
 * state with it.
 */
function side(owner: UserId, contact: UserId, state: ContactDocument['state'], position: Position): ReadOperation[] {
  const _id = contactKey(owner, contact);
  return [
    {
      collection: CONTACTS,
      operation: {
        updateOne: { filter: { _id }, update: { $setOnInsert: { owner, contact, state: 'removed', version: 0 } }, upsert: true },
      },
    },
    {
      collection: CONTACTS,
      operation: { updateOne: { filter: { _id, version: { $lt: position } }, update: { $set: { state, version: position } } } },
    },
  ];
}
