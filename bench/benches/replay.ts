import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projections } from '../../src/projections/all-projections.js';
import { buildFromScratch } from '../../src/projections/scratch-build.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { SqliteReadStore } from '../../src/store/sqlite/sqlite-read-store.js';
import { UpcastingEventStore } from '../../src/store/upcasting-event-store.js';
import { pick } from '../harness/bench-options.js';
import { BenchFailure, figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { cachedLog } from '../log/cached-log.js';
import type { LogManifest } from '../log/log-manifest.js';

export const REPLAY_EVENTS = 1_000_000;
export const QUICK_REPLAY_EVENTS = 100_000;

const MIB = 1024 * 1024;

/**
 * Every projection rebuilt from a generated log of a million events into the embedded read
 * store on disk (a fresh `read-models.db`, SQLite, as a first start builds it: the runner's
 * batches committed with their checkpoints), in this process, against reading the same log
 * through the same subscription without projecting. The read models must come out with
 * exactly the documents the generator says.
 */
export const replayBench: Bench = {
  name: 'replay',
  async run(options) {
    const { file, manifest } = await cachedLog(pick(options, REPLAY_EVENTS, QUICK_REPLAY_EVENTS));
    const read = await readOnly(open(file), manifest.events);
    const store = open(file);
    const dir = mkdtempSync(join(tmpdir(), 'eschat-bench-replay-'));
    const readModels = join(dir, 'read-models.db');
    const readStore = new SqliteReadStore(readModels);
    try {
      const build = await buildFromScratch(store, readStore, projections);
      if (build.events !== manifest.events)
        throw new BenchFailure(`replay: rebuilt from ${build.events} events, the log has ${manifest.events}`);
      checkDocuments(build.documents, manifest);
      await readStore.close();
      return [
        figure('replay', 'rebuild every projection', build.events / build.seconds, 'events/s', read, {
          op: '>=',
          limit: 200_000,
          of: 'value',
        }),
        figure('replay', 'events in the log', build.events, 'events', null),
        figure('replay', 'read-models.db size', statSync(readModels).size / MIB, 'MiB', null),
      ];
    } finally {
      await readStore.close().catch(() => undefined);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** As the server opens it: the SQLite adapter behind the upcasters. */
function open(file: string): EventStore {
  return new UpcastingEventStore(SqliteEventStore.open({ file, durability: 'normal' }));
}

/** The baseline: the whole log through the subscription the runner uses, events counted and dropped; events/s. */
export async function readOnly(store: EventStore, expected: number): Promise<number> {
  const started = performance.now();
  let count = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const subscription = store.subscribe(0).subscribe({
        next: () => {
          if (++count < expected) return;
          subscription.unsubscribe();
          resolve();
        },
        error: reject,
      });
    });
    return count / ((performance.now() - started) / 1000);
  } finally {
    await store.close();
  }
}

/** The collections that say whether the rebuild saw every event of each kind. */
export function checkDocuments(documents: Record<string, Record<string, number>>, manifest: LogManifest): void {
  const expected = manifest.documents;
  const found = {
    users: documents['users']?.['users'],
    sessions: documents['sessions']?.['sessions'],
    rooms: documents['rooms']?.['rooms'],
    messages: documents['messages']?.['messages'],
    contacts: documents['contacts']?.['contacts'],
    requests: documents['contacts']?.['requests'],
  };
  const wrong = (Object.keys(expected) as Array<keyof typeof expected>).filter((key) => found[key] !== expected[key]);
  if (wrong.length > 0) {
    throw new BenchFailure(
      `replay: wrong read models: ${wrong.map((key) => `${key} ${String(found[key])}, expected ${expected[key]}`).join('; ')}`,
    );
  }
}
