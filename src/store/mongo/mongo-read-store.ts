import { randomUUID } from 'node:crypto';
import {
  GridFSBucket,
  MongoClient,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Collection as DriverCollection,
  type Db,
  type Document as DriverDocument,
  type UpdateResult as DriverUpdateResult,
} from 'mongodb';
import {
  DuplicateKeyError,
  type Collection,
  type DeleteResult,
  type Document,
  type FencedBatch,
  type Filter,
  type FindOptions,
  type IndexOptions,
  type ReadStore,
  type Update,
  type UpdateOptions,
  type UpdateResult,
  type WriteOperation,
} from '../ports/read-store.js';
import { equalityFields } from '../ports/upsert-seed.js';

/** Mongo's error code for a duplicate key in a unique index (`_id` included). */
const DUPLICATE_KEY = 11000;

/**
 * The production read store: MongoDB through the official driver. Filters, updates and
 * bulk operations are Mongo's own, passed through; duplicate keys become the port's
 * DuplicateKeyError. One change to what is written: a document created without an `_id`
 * gets a UUID string rather than an ObjectId, since the port's `_id` is a string or a
 * number (the memory store does the same).
 */
export class MongoReadStore implements ReadStore {
  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {}

  /** Connects to `uri`; the database is `dbName`, else the one the URI names, else `eschat`. */
  static async connect(uri: string, dbName?: string): Promise<MongoReadStore> {
    // The driver parses the URI (several hosts, SRV, options) and throws on a bad one before connecting.
    const client = new MongoClient(uri);
    const name = dbName ?? databaseOf(uri) ?? 'eschat';
    try {
      await client.connect();
      return new MongoReadStore(client, client.db(name));
    } catch (error) {
      // A client that failed to connect still holds its monitors and pools.
      await client.close().catch(() => undefined);
      throw error;
    }
  }

  collection<T extends Document = Document>(name: string): Collection<T> {
    return new MongoCollection<T>(this.db.collection<Document>(name));
  }

  /**
   * One transaction on the replica set eschat requires: the fence's conditional update first
   * (matching every field of `from`), then the writes, in one session. Two processes moving
   * one fence conflict on its document; withTransaction retries the loser, whose condition
   * then fails: it applies nothing. Cannot run here without a server: the contract's fencing
   * cases run against one with ESCHAT_TEST_MONGO.
   */
  async commitFenced({ fences, from, to, writes }: FencedBatch): Promise<boolean> {
    const session = this.client.startSession();
    try {
      await session.withTransaction(async () => {
        const checkpoints = this.db.collection<Document>(fences);
        if (from === null) {
          const { _id, ...fields } = to;
          const { upsertedCount } = await checkpoints.updateOne({ _id }, { $setOnInsert: fields }, { upsert: true, session });
          if (upsertedCount !== 1) throw new FenceMoved();
        } else {
          const { matchedCount } = await checkpoints.replaceOne({ ...from, _id: to._id }, to, { session });
          if (matchedCount !== 1) throw new FenceMoved();
        }
        for (const { collection, operations } of writes) {
          if (operations.length === 0) continue;
          try {
            await this.db.collection<Document>(collection).bulkWrite(operations.map(toDriverOperation), { ordered: true, session });
          } catch (error) {
            throw toPortError(error, collection);
          }
        }
      });
      return true;
    } catch (error) {
      if (error instanceof FenceMoved) return false;
      throw error;
    } finally {
      await session.endSession();
    }
  }

  async listCollections(): Promise<string[]> {
    const collections = await this.db.listCollections({}, { nameOnly: true }).toArray();
    return collections.map((collection) => collection.name).filter((name) => !name.startsWith('system.'));
  }

  /** The database itself, for what the port does not say: the search index's text queries. */
  database(): Db {
    return this.db;
  }

  /** A GridFS bucket in the same database: where media go when the read store is MongoDB. */
  gridFsBucket(bucketName: string): GridFSBucket {
    return new GridFSBucket(this.db, { bucketName });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/**
 * The database a MongoDB connection string names, undefined when none: the path after the host
 * list, before the options. Not `new URL()`: a replica set's host list (`h1:27017,h2:27017`) is
 * no URL host, and it throws on it.
 */
export function databaseOf(uri: string): string | undefined {
  const rest = uri.replace(/^mongodb(\+srv)?:\/\//, '').split('?')[0] ?? '';
  // Credentials come before the last '@' (a '/' in them is percent-encoded, as '@' is).
  const hostsAndPath = rest.slice(rest.lastIndexOf('@') + 1);
  const slash = hostsAndPath.indexOf('/');
  const name = slash < 0 ? '' : decodeURIComponent(hostsAndPath.slice(slash + 1));
  return name || undefined;
}

class MongoCollection<T extends Document> implements Collection<T> {
  constructor(private readonly collection: DriverCollection<Document>) {}

  get name(): string {
    return this.collection.collectionName;
  }

  async findOne(filter: Filter, options: FindOptions = {}): Promise<T | null> {
    const found = await this.guard(this.collection.findOne(filter, options));
    return found as T | null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    const found = await this.guard(this.collection.find(filter, options).toArray());
    return found as T[];
  }

  countDocuments(filter: Filter = {}): Promise<number> {
    return this.guard(this.collection.countDocuments(filter));
  }

  async insertOne(document: T): Promise<void> {
    await this.guard(this.collection.insertOne(withId(document)));
  }

  async updateOne(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<UpdateResult> {
    const upsert = options.upsert ?? false;
    return counts(await this.guard(this.collection.updateOne(filter, upsertable(filter, update, upsert), { upsert })));
  }

  async updateMany(filter: Filter, update: Update, options: UpdateOptions = {}): Promise<UpdateResult> {
    const upsert = options.upsert ?? false;
    return counts(await this.guard(this.collection.updateMany(filter, upsertable(filter, update, upsert), { upsert })));
  }

  async replaceOne(filter: Filter, replacement: T, options: UpdateOptions = {}): Promise<UpdateResult> {
    const upsert = options.upsert ?? false;
    const document = upsert ? withUpsertId(filter, replacement) : replacement;
    return counts(await this.guard(this.collection.replaceOne(filter, document, { upsert })));
  }

  async deleteOne(filter: Filter): Promise<DeleteResult> {
    const { deletedCount } = await this.guard(this.collection.deleteOne(filter));
    return { deletedCount };
  }

  async deleteMany(filter: Filter): Promise<DeleteResult> {
    const { deletedCount } = await this.guard(this.collection.deleteMany(filter));
    return { deletedCount };
  }

  /** BulkWriteOptions' hand-over changes nothing here: the driver serializes what it is given. */
  async bulkWrite(operations: readonly WriteOperation<T>[]): Promise<void> {
    if (operations.length === 0) return; // the driver rejects an empty batch
    await this.guard(this.collection.bulkWrite(operations.map(toDriverOperation), { ordered: true }));
  }

  async createIndex(keys: Record<string, 1 | -1>, options: IndexOptions = {}): Promise<void> {
    const { unique, name } = options;
    await this.guard(this.collection.createIndex(keys, { ...(unique ? { unique } : {}), ...(name ? { name } : {}) }));
  }

  async drop(): Promise<void> {
    // Resolves false, not an error, when the collection does not exist.
    await this.guard(this.collection.drop());
  }

  private async guard<R>(work: Promise<R>): Promise<R> {
    try {
      return await work;
    } catch (error) {
      throw toPortError(error, this.name);
    }
  }
}

/** Thrown inside a transaction to abort it when the fence is not where its writer read it. */
class FenceMoved extends Error {
  override readonly name = 'FenceMoved';
}

function counts(result: DriverUpdateResult): UpdateResult {
  const { matchedCount, modifiedCount, upsertedCount } = result;
  return { matchedCount, modifiedCount, upsertedCount };
}

function toPortError(error: unknown, collection: string): unknown {
  if (!(error instanceof MongoServerError) || error.code !== DUPLICATE_KEY) return error;
  const duplicate = new DuplicateKeyError(collection, duplicateKey(error));
  duplicate.cause = error;
  return duplicate;
}

/**
 * The key a duplicate key error reports: `keyValue` on the error of a single write, on the
 * first write error of a bulk write (MongoBulkWriteError).
 */
function duplicateKey(error: MongoServerError): Record<string, unknown> {
  const direct: unknown = error.keyValue;
  if (isRecord(direct)) return direct;
  const writeErrors: unknown = error.writeErrors;
  const first: unknown = Array.isArray(writeErrors) ? writeErrors[0] : writeErrors;
  const nested = isRecord(first) && isRecord(first.err) ? first.err.keyValue : undefined;
  return isRecord(nested) ? nested : {};
}

function toDriverOperation<T extends Document>(operation: WriteOperation<T>): AnyBulkWriteOperation<Document> {
  if ('updateOne' in operation) {
    const { filter, update, upsert } = operation.updateOne;
    return { updateOne: { ...operation.updateOne, update: upsertable(filter, update, upsert ?? false) } };
  }
  if ('updateMany' in operation) {
    const { filter, update, upsert } = operation.updateMany;
    return { updateMany: { ...operation.updateMany, update: upsertable(filter, update, upsert ?? false) } };
  }
  if ('insertOne' in operation) return { insertOne: { document: withId(operation.insertOne.document) } };
  if ('replaceOne' in operation) {
    const { filter, replacement, upsert } = operation.replaceOne;
    return { replaceOne: { ...operation.replaceOne, replacement: upsert ? withUpsertId(filter, replacement) : replacement } };
  }
  return operation;
}

/**
 * An upsert whose filter fixes no `_id` and whose update sets none would create an
 * ObjectId: give it a UUID string instead.
 */
function upsertable(filter: Filter, update: Update, upsert: boolean): Update {
  if (!upsert || fixesId(filter) || Object.values(update).some((fields) => isRecord(fields) && Object.hasOwn(fields, '_id'))) {
    return update;
  }
  const onInsert = isRecord(update.$setOnInsert) ? update.$setOnInsert : {};
  return { ...update, $setOnInsert: { ...onInsert, _id: randomUUID() } };
}

function withUpsertId<D extends DriverDocument>(filter: Filter, replacement: D): D {
  return replacement._id !== undefined || fixesId(filter) ? replacement : withId(replacement);
}

/** The document itself when it has an `_id` (the driver would add an ObjectId to it in place). */
function withId<D extends DriverDocument>(document: D): D {
  return document._id !== undefined ? document : { _id: randomUUID(), ...document };
}

function fixesId(filter: Filter): boolean {
  return equalityFields(filter).some(([path]) => path === '_id');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
