import type { Position } from '../events/recorded-event.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { ReadStore } from '../store/ports/read-store.js';
import type { Projection } from './projection.js';
import { CHECKPOINTS, type Checkpoint } from './runner.js';

/** A projection as its checkpoint in a shared read store shows it, read without running anything. */
export interface SavedStatus {
  name: string;
  /** The version this code builds. */
  version: number;
  /** The version the read store holds; null when never built. */
  builtVersion: number | null;
  generation: number | null;
  position: Position | null;
  head: Position;
  lag: number | null;
  /** `outdated`: built by another version, so the next server start rebuilds it. */
  state: 'current' | 'outdated' | 'not built';
}

/** Every projection's checkpoint against the log's head. */
export async function savedStatus(store: EventStore, readStore: ReadStore, projections: readonly Projection[]): Promise<SavedStatus[]> {
  const head = await store.headPosition();
  const checkpoints = readStore.collection<Checkpoint>(CHECKPOINTS);
  return Promise.all(
    projections.map(async ({ name, version }): Promise<SavedStatus> => {
      const saved = await checkpoints.findOne({ _id: name });
      if (!saved) return { name, version, builtVersion: null, generation: null, position: null, head, lag: null, state: 'not built' };
      const state = saved.version === version ? 'current' : 'outdated';
      return {
        name,
        version,
        builtVersion: saved.version,
        generation: saved.generation,
        position: saved.position,
        head,
        lag: Math.max(0, head - saved.position),
        state,
      };
    }),
  );
}
