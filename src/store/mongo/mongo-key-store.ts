import { Binary, MongoClient, MongoServerError, type Collection } from 'mongodb';
import type { UserId } from '../../events/recorded-event.js';
import type { KeyStore, StoredKey } from '../ports/key-store.js';

interface KeyDocument {
  _id: number;
  /** The key wrapped with the master key; null for an erased person's tombstone. */
  wrapped: Binary | null;
}

/** Duplicate key: another writer created the person's key first. */
const DUPLICATE_KEY = 11000;

/**
 * People's keys in production: the `person_keys` collection of the read store's database,
 * its own connection. Erasing sets the key to null in place (a tombstone); what MongoDB keeps
 * of the old document afterwards (its oplog, backups of the database) is the operator's to
 * bound: README, "Erasure".
 */
export class MongoKeyStore implements KeyStore {
  private constructor(
    private readonly client: MongoClient,
    private readonly keys: Collection<KeyDocument>,
  ) {}

  /** Connects to `uri`; the database is `dbName`, else the one the URI names, else `eschat`. */
  static async connect(uri: string, dbName?: string): Promise<MongoKeyStore> {
    const client = await MongoClient.connect(uri);
    const named = decodeURIComponent(new URL(uri).pathname.slice(1));
    return new MongoKeyStore(client, client.db(dbName ?? (named || 'eschat')).collection<KeyDocument>('person_keys'));
  }

  async get(subject: UserId): Promise<StoredKey | null> {
    const document = await this.keys.findOne({ _id: subject });
    return document === null ? null : stored(document);
  }

  async create(subject: UserId, wrapped: Buffer): Promise<StoredKey> {
    try {
      await this.keys.insertOne({ _id: subject, wrapped: new Binary(wrapped) });
      return { state: 'key', wrapped };
    } catch (error) {
      if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) throw error;
      const existing = await this.get(subject);
      if (existing === null) throw error;
      return existing;
    }
  }

  async erase(subject: UserId): Promise<void> {
    await this.keys.updateOne({ _id: subject }, { $set: { wrapped: null } }, { upsert: true });
  }

  async *entries(): AsyncIterable<[UserId, StoredKey]> {
    for await (const document of this.keys.find({}).sort({ _id: 1 })) yield [document._id, stored(document)];
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function stored(document: KeyDocument): StoredKey {
  return document.wrapped === null ? { state: 'erased' } : { state: 'key', wrapped: Buffer.from(document.wrapped.buffer) };
}
