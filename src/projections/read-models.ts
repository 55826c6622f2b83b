import type { Position } from '../events/recorded-event.js';
import type { Collection, Document } from '../store/ports/read-store.js';

/** What queries need from the read side: the live collections, and a way to read their own writes. */
export interface ReadModels {
  /** The collection `name` of projection `projection`, in the version currently served. */
  collection<T extends Document>(projection: string, name: string): Collection<T>;
  /** Resolves true once every projection has applied `position`; false after `timeoutMs`. */
  waitFor(position: Position, timeoutMs?: number): Promise<boolean>;
}
