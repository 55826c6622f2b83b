import { MemoryCollection } from './memory-collection.js';
import type { Document, ReadStore } from '../ports/read-store.js';

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
