import type { Db } from 'mongodb';
import type { Document } from '../ports/read-store.js';
import type { IndexedMessage, SearchBatch, SearchIndex, SearchQuery, SearchWrite } from '../ports/search-index.js';
import { searchBody, termTokens, type SearchTerm } from '../ports/search-text.js';
import type { MongoReadStore } from './mongo-read-store.js';

const MESSAGES = 'search_messages';
const CHECKPOINTS = 'search_checkpoints';
const CHECKPOINT_ID = 'messages';

interface SearchDocument extends Document {
  _id: number;
  room: number;
  sender: number;
  at: string;
  text: string;
  /** What the text index matches (search-text.ts: CJK runs as pairs). */
  body: string;
}

/**
 * The search index on MongoDB, in the read store's database: a text index on `body` with no
 * language (no stemming, no stop words; version 3 text indexes fold case and diacritics), the
 * documents keyed by message id, and the checkpoint moved with the writes in one transaction
 * (the read store's commitFenced). Written against the driver's API and not run here: no MongoDB
 * server runs on the development machines. A text index matches whole tokens, so a word's
 * prefix (`hel*`) is matched as the word itself there, and one CJK character only where it
 * ends a run; otherwise it answers as the FTS5 index does.
 */
export class MongoSearchIndex implements SearchIndex {
  private constructor(
    private readonly store: MongoReadStore,
    private readonly db: Db,
  ) {}

  static async open(store: MongoReadStore): Promise<MongoSearchIndex> {
    const db = store.database();
    const messages = db.collection<SearchDocument>(MESSAGES);
    await messages.createIndex({ body: 'text' }, { default_language: 'none', name: 'body_text' });
    await messages.createIndex({ room: 1, _id: -1 });
    // The fence exists from the start: every commit is then fenced on a position.
    await db
      .collection<{ _id: string; position: number }>(CHECKPOINTS)
      .updateOne({ _id: CHECKPOINT_ID }, { $setOnInsert: { position: 0 } }, { upsert: true });
    return new MongoSearchIndex(store, db);
  }

  async checkpoint(): Promise<number> {
    const stored = await this.db.collection<{ _id: string; position: number }>(CHECKPOINTS).findOne({ _id: CHECKPOINT_ID });
    return stored?.position ?? 0;
  }

  async commit({ from, to, writes }: SearchBatch): Promise<boolean> {
    const fence = (position: number) => ({ _id: CHECKPOINT_ID, position });
    return this.store.commitFenced({
      fences: CHECKPOINTS,
      from: fence(from),
      to: fence(to),
      writes: [{ collection: MESSAGES, operations: writes.map(operationOf) }],
    });
  }

  async search({ terms, rooms, before, limit }: SearchQuery): Promise<IndexedMessage[]> {
    if (terms.length === 0 || rooms.length === 0) return [];
    const filter = { $text: { $search: textSearch(terms) }, room: { $in: [...rooms] }, _id: { $lt: before ?? Number.MAX_SAFE_INTEGER } };
    const found = await this.db
      .collection<SearchDocument>(MESSAGES)
      .find(filter, { sort: { _id: -1 }, limit, projection: { body: 0 } })
      .toArray();
    return found.map(({ _id, room, sender, at, text }) => ({ id: _id, room, sender, at, text }));
  }

  /** The read store owns the client: closing it is its job. */
  async close(): Promise<void> {}
}

function operationOf(write: SearchWrite) {
  if ('upsert' in write) {
    const { id, room, sender, at, text } = write.upsert;
    const document: SearchDocument = { _id: id, room, sender, at, text, body: searchBody(text) };
    return { replaceOne: { filter: { _id: id }, replacement: document, upsert: true } };
  }
  if ('edit' in write) {
    const { id, text } = write.edit;
    return { updateOne: { filter: { _id: id }, update: { $set: { text, body: searchBody(text) } } } };
  }
  if ('delete' in write) return { deleteOne: { filter: { _id: write.delete.id } } };
  return { deleteMany: { filter: { sender: write.eraseSender.sender } } };
}

/** `$search` with every term required: each a quoted phrase (a CJK run's pairs, or the word). */
function textSearch(terms: readonly SearchTerm[]): string {
  return terms.map((term) => `"${termTokens(term).join(' ').replaceAll('"', ' ')}"`).join(' ');
}
