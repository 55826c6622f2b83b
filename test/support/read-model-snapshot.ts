import type { Projection } from '../../src/projections/projection.js';
import type { Collection, Document } from '../../src/store/ports/read-store.js';

/** Where a projection's collections are: a runner, or physical collections picked by the test. */
export interface CollectionSource {
  collection(projection: string, name: string): Collection<Document>;
}

/** Every document of every collection of every projection, by `<projection>.<collection>`, in `_id` order. */
export async function readModelSnapshot(read: CollectionSource, projections: readonly Projection[]): Promise<Record<string, Document[]>> {
  const snapshot: Record<string, Document[]> = {};
  for (const projection of projections) {
    for (const { name } of projection.collections) {
      snapshot[`${projection.name}.${name}`] = await read.collection(projection.name, name).find({}, { sort: { _id: 1 } });
    }
  }
  return snapshot;
}
