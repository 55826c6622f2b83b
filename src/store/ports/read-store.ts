/**
 * The read store port: the subset of the MongoDB collection API that projections and
 * queries use, with Mongo filter and update documents, and one operation of its own:
 * `commitFenced`, a batch of writes committed with the move of its checkpoint. Adapters:
 * sqlite-read-store (the embedded default), memory-read-store (in process memory) and
 * mongo-read-store (production).
 */

export type DocId = string | number;
export interface Document {
  _id: DocId;
  [key: string]: unknown;
}

/** A MongoDB query filter, e.g. `{ owner: 3, version: { $gt: 10 } }`. */
export type Filter = Record<string, unknown>;
/** A MongoDB update document with operators, e.g. `{ $set: { name: 'a' }, $addToSet: { members: 2 } }`. */
export type Update = Record<string, unknown>;
export type SortSpec = Record<string, 1 | -1>;
export type ProjectionSpec = Record<string, 0 | 1>;

export interface FindOptions {
  sort?: SortSpec;
  skip?: number;
  limit?: number;
  projection?: ProjectionSpec;
}

export interface UpdateOptions {
  upsert?: boolean;
}

export interface UpdateResult {
  matchedCount: number;
  modifiedCount: number;
  upsertedCount: number;
}

export interface DeleteResult {
  deletedCount: number;
}

/** Shapes as in MongoDB's bulkWrite, so the Mongo adapter passes them through. */
export type WriteOperation<T extends Document = Document> =
  | { insertOne: { document: T } }
  | { updateOne: { filter: Filter; update: Update; upsert?: boolean } }
  | { updateMany: { filter: Filter; update: Update; upsert?: boolean } }
  | { replaceOne: { filter: Filter; replacement: T; upsert?: boolean } }
  | { deleteOne: { filter: Filter } }
  | { deleteMany: { filter: Filter } };

export interface BulkWriteOptions {
  /**
   * The caller gives the documents of its inserts and replacements to the store: it will not
   * use or change them afterwards, and nothing else will. A store may then keep them as they
   * are instead of copying them (the projection runner's fresh documents, a million at a rebuild).
   */
  handOver?: boolean;
}

export interface IndexOptions {
  unique?: boolean;
  name?: string;
}

export interface Collection<T extends Document = Document> {
  readonly name: string;
  findOne(filter: Filter, options?: FindOptions): Promise<T | null>;
  find(filter: Filter, options?: FindOptions): Promise<T[]>;
  countDocuments(filter?: Filter): Promise<number>;
  /** Throws DuplicateKeyError when `_id` or a unique index is taken. */
  insertOne(document: T): Promise<void>;
  updateOne(filter: Filter, update: Update, options?: UpdateOptions): Promise<UpdateResult>;
  updateMany(filter: Filter, update: Update, options?: UpdateOptions): Promise<UpdateResult>;
  replaceOne(filter: Filter, replacement: T, options?: UpdateOptions): Promise<UpdateResult>;
  deleteOne(filter: Filter): Promise<DeleteResult>;
  deleteMany(filter: Filter): Promise<DeleteResult>;
  /** Applied in order; stops at the first failure, like an ordered Mongo bulkWrite. */
  bulkWrite(operations: readonly WriteOperation<T>[], options?: BulkWriteOptions): Promise<void>;
  createIndex(keys: Record<string, 1 | -1>, options?: IndexOptions): Promise<void>;
  drop(): Promise<void>;
}

/** The writes a batch makes to one collection, in order. */
export interface CollectionWrites {
  collection: string;
  operations: readonly WriteOperation[];
}

/**
 * A batch of writes fenced on one document (a projection's checkpoint) of collection `fences`:
 * the writes apply and the fence becomes `to` only if the fence is still as its writer read
 * it, `from` (every field of `from` equal to the stored one; `from` null: no such document).
 * The documents of the writes are handed over to the store (BulkWriteOptions' `handOver`).
 */
export interface FencedBatch {
  fences: string;
  from: Document | null;
  to: Document;
  writes: readonly CollectionWrites[];
}

export interface ReadStore {
  collection<T extends Document = Document>(name: string): Collection<T>;
  /**
   * Commits `batch` atomically: every write and the fence's move, or nothing. Resolves false,
   * applying nothing, when the fence is no longer at `batch.from` (another writer moved it);
   * a failing write applies nothing either, and its error is thrown. This is what lets several
   * processes follow one log into one store: whichever writer moved the fence first wins, a
   * late one cannot move it back or write over newer documents.
   */
  commitFenced(batch: FencedBatch): Promise<boolean>;
  listCollections(): Promise<string[]>;
  close(): Promise<void>;
}

export class DuplicateKeyError extends Error {
  override readonly name = 'DuplicateKeyError';
  constructor(
    readonly collection: string,
    readonly key: Record<string, unknown>,
  ) {
    super(`duplicate key in ${collection}: ${JSON.stringify(key)}`);
  }
}
