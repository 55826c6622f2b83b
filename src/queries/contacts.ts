import type { Position, UserId } from '../events/recorded-event.js';
import { CONTACTS, REQUESTS, contactKey, type ContactDocument, type ContactRequestDocument } from '../projections/contacts.js';
import type { ReadModels } from '../projections/read-models.js';

export type { ContactRequestDocument };

const contacts = (read: ReadModels) => read.collection<ContactDocument>('contacts', CONTACTS);
const requests = (read: ReadModels) => read.collection<ContactRequestDocument>('contacts', REQUESTS);

export interface ContactChanges {
  /** Store it and send it as the next `since`. */
  version: Position;
  /** Contacts added (or changed) since then, by version. */
  added: UserId[];
  /** Contacts removed since then, by version. */
  removed: UserId[];
}

/**
 * What changed in `owner`'s contact list after version `since`. One query: the version
 * answered is the highest among the entries answered, so it can never run ahead of them
 * (a counter kept elsewhere could be read after an update the entries do not show yet),
 * and a client that sends it back next time misses nothing.
 */
export async function syncContacts(read: ReadModels, owner: UserId, since: Position): Promise<ContactChanges> {
  const changed = await contacts(read).find(
    { owner, version: { $gt: since } },
    { sort: { version: 1 }, projection: { contact: 1, state: 1, version: 1 } },
  );
  return {
    version: changed.reduce((highest, entry) => Math.max(highest, entry.version), since),
    added: changed.filter((entry) => entry.state === 'contact').map((entry) => entry.contact),
    removed: changed.filter((entry) => entry.state === 'removed').map((entry) => entry.contact),
  };
}

/** Requests sent to `owner` at or after `since` (unix seconds), oldest first. */
export function requestsReceived(read: ReadModels, owner: UserId, since = 0): Promise<ContactRequestDocument[]> {
  return requests(read).find({ to: owner, at: { $gte: since } }, { sort: { at: 1, _id: 1 } });
}

/** Requests `owner` sent that are still waiting, oldest first. */
export function requestsSent(read: ReadModels, owner: UserId): Promise<ContactRequestDocument[]> {
  return requests(read).find({ from: owner }, { sort: { at: 1, _id: 1 } });
}

export async function isContact(read: ReadModels, a: UserId, b: UserId): Promise<boolean> {
  return (await contacts(read).findOne({ _id: contactKey(a, b), state: 'contact' })) !== null;
}

/** `owner`'s contacts now. */
export async function contactsOf(read: ReadModels, owner: UserId): Promise<UserId[]> {
  return (await contacts(read).find({ owner, state: 'contact' }, { projection: { contact: 1 } })).map((entry) => entry.contact);
}
