import type { UserId } from '../../events/recorded-event.js';
import type { DeliveryStateStore, DeviceCursor } from '../ports/delivery-state-store.js';
import { mergeCursor } from '../ports/cursor-merge.js';
import { DuplicateKeyError, type Collection, type Document, type ReadStore } from '../ports/read-store.js';

interface CursorDocument extends Document {
  _id: string;
  userId: number;
  device: string;
  ackedUpTo: number;
  unacked: number[];
  away?: Array<{ after: number; upTo: number }> | null;
  served?: number | null;
  /** Moves by one with each save: a save replaces only the document it merged with. */
  rev?: number;
}

/** Delivery cursors in a read store collection: the production path, on MongoDB. */
export class ReadStoreDeliveryStateStore implements DeliveryStateStore {
  private readonly cursors: Collection<CursorDocument>;

  private constructor(collection: Collection<CursorDocument>) {
    this.cursors = collection;
  }

  static async open(readStore: ReadStore): Promise<ReadStoreDeliveryStateStore> {
    const collection = readStore.collection<CursorDocument>('delivery_cursors');
    await collection.createIndex({ userId: 1 });
    return new ReadStoreDeliveryStateStore(collection);
  }

  async load(userId: UserId): Promise<DeviceCursor[]> {
    return (await this.cursors.find({ userId })).map(cursorOf);
  }

  /**
   * Merges each cursor into what is stored (mergeCursor), so a cursor never moves back: read,
   * merge, and replace only if the document is still the one read (its `rev`), else again.
   */
  async save(cursors: readonly DeviceCursor[]): Promise<void> {
    for (const cursor of cursors) await this.saveOne(cursor);
  }

  private async saveOne(given: DeviceCursor): Promise<void> {
    const _id = `${given.userId}:${given.device}`;
    for (;;) {
      const stored = await this.cursors.findOne({ _id });
      const { userId, device, ackedUpTo, unacked, away, served } = mergeCursor(stored ? cursorOf(stored) : undefined, given);
      const rev = (stored?.rev ?? 0) + 1;
      const document: CursorDocument = {
        _id,
        userId,
        device,
        ackedUpTo,
        unacked: [...unacked],
        away: away ? away.map((range) => ({ ...range })) : null,
        served: served ?? null,
        rev,
      };
      if (!stored) {
        try {
          await this.cursors.insertOne(document);
          return;
        } catch (error) {
          if (error instanceof DuplicateKeyError) continue; // another process wrote it first: merge with that
          throw error;
        }
      }
      const { matchedCount } = await this.cursors.replaceOne({ _id, rev: stored.rev ?? { $exists: false } }, document);
      if (matchedCount === 1) return;
    }
  }

  async close(): Promise<void> {}
}

function cursorOf({ userId, device, ackedUpTo, unacked, away, served }: CursorDocument): DeviceCursor {
  return { userId, device, ackedUpTo, unacked, away: away ?? undefined, served: served ?? undefined };
}
