import { tap } from 'rxjs';
import type { Position } from '../events/recorded-event.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { ReadStore } from '../store/ports/read-store.js';
import type { Projection } from './projection.js';
import { ProjectionRunner } from './runner.js';

export interface ScratchBuildProgress {
  position: Position;
  head: Position;
  events: number;
}

export interface ScratchBuild {
  /** The runner that built them, stopped: its collections can still be read. */
  runner: ProjectionRunner;
  /** Events read from the log. */
  events: number;
  head: Position;
  seconds: number;
  /** Documents per collection, per projection. */
  documents: Record<string, Record<string, number>>;
}

/** How often progress is reported while the runner catches up. */
const PROGRESS_MS = 100;

/**
 * Builds `projections` from the first event into an empty read store of the caller's (for the
 * CLI, one in its own memory) in one pass over the log, and counts what came out. It writes
 * nothing a server reads: this is how `eschat projections rebuild` checks projections against
 * the log without touching the read models servers serve.
 */
export async function buildFromScratch(
  store: EventStore,
  readStore: ReadStore,
  projections: readonly Projection[],
  onProgress?: (progress: ScratchBuildProgress) => void,
): Promise<ScratchBuild> {
  let events = 0;
  const runner = new ProjectionRunner(store, readStore, projections, {
    subscribe: (from) => store.subscribe(from).pipe(tap(() => (events += 1))),
  });
  const started = performance.now();
  const head = await store.headPosition();
  const report = () => onProgress?.({ position: runner.position, head, events });
  const ticker = setInterval(report, PROGRESS_MS);
  try {
    await runner.start();
  } finally {
    clearInterval(ticker);
    runner.stop();
  }
  report();
  const documents: ScratchBuild['documents'] = {};
  for (const projection of projections) {
    const counts: Record<string, number> = {};
    for (const { name } of projection.collections) counts[name] = await runner.collection(projection.name, name).countDocuments({});
    documents[projection.name] = counts;
  }
  return { runner, events, head, seconds: (performance.now() - started) / 1000, documents };
}
