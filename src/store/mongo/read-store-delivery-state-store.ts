import type { UserId } from '../../events/recorded-event.js';
import type { DeliveryStateStore, DeviceCursor } from '../ports/delivery-state-store.js';
import type { Collection, Document, ReadStore } from '../ports/read-store.js';

interface CursorDocument extends Document {
  _id: string;
  userId: number;
  device: string;
  ackedUpTo: number;
  unacked: number[];
  away?: Array<{ after: number; upTo: number }> | null;
  served?: number | null;
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
    const documents = await this.cursors.find({ userId });
    return documents.map(({ userId: user, device, ackedUpTo, unacked, away, served }) => ({
      userId: user,
      device,
      ackedUpTo,
      unacked,
      away: away ?? undefined,
      served: served ?? undefined,
    }));
  }

  async save(cursors: readonly DeviceCursor[]): Promise<void> {
    if (cursors.length === 0) return;
    await this.cursors.bulkWrite(
      cursors.map((cursor) => {
        const { userId, device, ackedUpTo, unacked, away, served } = cursor;
        const document: CursorDocument = {
          _id: `${userId}:${device}`,
          userId,
          device,
          ackedUpTo,
          unacked: [...unacked],
          away: away ? away.map((range) => ({ ...range })) : null,
          served: served ?? null,
        };
        return { replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } };
      }),
    );
  }

  async close(): Promise<void> {}
}
