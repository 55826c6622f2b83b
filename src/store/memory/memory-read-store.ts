import { MemoryCollection } from './memory-collection.js';
import { fenceHolds } from '../ports/fence.js';
import type { Document, FencedBatch, ReadStore } from '../ports/read-store.js';

/**
 * The embedded read store: collections held in process memory, filters and updates
 * evaluated with mingo, secondary indexes so that lookups on indexed keys are not scans.
 * Nothing is persisted: projections rebuild it from the event log at start.
 */
export class MemoryReadStore implements ReadStore {
  readonly #collections = new Map<string, MemoryCollection>();

  /** The same instance for a name every time; it stays usable after drop, as in Mongo. */
  collection<T extends Document = Document>(name: string): MemoryCollection<T> {
    let collection = this.#collections.get(name);
    if (!collection) this.#collections.set(name, (collection = new MemoryCollection(name)));
    // The store holds plain documents; the caller's T describes them, as with Mongo.
    return collection as unknown as MemoryCollection<T>;
  }

  /**
   * One process holds the store, and every write below runs synchronously: nothing comes
   * between the fence's check and its move. A failing write undoes the ones before it.
   */
  async commitFenced({ fences, from, to, writes }: FencedBatch): Promise<boolean> {
    const checkpoints = this.collection(fences);
    if (!fenceHolds(checkpoints.peek(to._id), from)) return false;
    const undos: Array<() => void> = [];
    try {
      for (const { collection, operations } of writes) undos.push(this.collection(collection).writeUndoably(operations, true));
      undos.push(checkpoints.writeUndoably([{ replaceOne: { filter: { _id: to._id }, replacement: to, upsert: true } }]));
    } catch (error) {
      for (const undo of undos.reverse()) undo();
      throw error;
    }
    return true;
  }

  async listCollections(): Promise<string[]> {
    return [...this.#collections.values()].filter((collection) => collection.exists).map((collection) => collection.name);
  }

  /** Releases every collection; handles obtained before are dropped too. */
  async close(): Promise<void> {
    const collections = [...this.#collections.values()];
    this.#collections.clear();
    await Promise.all(collections.map((collection) => collection.drop()));
  }
}
