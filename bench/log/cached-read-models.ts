import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projections } from '../../src/projections/all-projections.js';
import type { BenchOptions } from '../harness/bench-options.js';
import { timedStart } from '../harness/timed-start.js';
import type { CachedLog } from './cached-log.js';
import { keepSearchIndex } from './cached-search-index.js';

/** A generated log with the `read-models.db` a first start of eschat built from it. */
export interface CachedReadModels {
  /** The read models' file; copy it (beside a copy of the log) before serving from it. */
  file: string;
  /** How long that first start took, from spawning eschat until it served, and when it ran. */
  built: { seconds: number; at: string };
}

/** The projections' names and versions: read models built by other versions are not these. */
const PROJECTIONS_KEY = projections.map(({ name, version }) => `${name}${version}`).join('-');

/**
 * The `read-models.db` of a generated log, from bench/.cache/ when an earlier run built it
 * with the same projection versions; built otherwise, as a first start builds it: eschat
 * serves a copy of the log until it answers (every projection caught up from the log, batches
 * committed with their checkpoints), its answers are checked, it stops gracefully, and its file
 * is kept (with the search index it built, cached-search-index.ts). How long that took is kept beside it.
 */
export async function cachedReadModels({ file: log, manifest }: CachedLog, options: BenchOptions): Promise<CachedReadModels> {
  const base = `${log.replace(/\.db$/, '')}.read-models-${PROJECTIONS_KEY}`;
  const file = `${base}.db`;
  const builtFile = `${base}.json`;
  if (!existsSync(file) || !existsSync(builtFile)) {
    const dataDir = mkdtempSync(join(tmpdir(), 'eschat-bench-first-start-'));
    try {
      console.error(`building the read models of ${log} (eschat's first start on it) ...`);
      copyFileSync(log, join(dataDir, 'events.db'));
      const at = new Date().toISOString();
      const first = await timedStart({ dataDir, tls: options.tls }, manifest, 'first start');
      await first.server.stop();
      // A graceful stop checkpoints and removes the write-ahead file: the database is one file.
      if (existsSync(join(dataDir, 'read-models.db-wal'))) throw new Error('read-models.db kept its WAL after a graceful stop');
      renameSync(join(dataDir, 'read-models.db'), file);
      writeFileSync(builtFile, JSON.stringify({ seconds: first.seconds, at }, null, 2));
      // The first start built the search index too (it catches up before serving): kept, not built again.
      keepSearchIndex(log, dataDir, { seconds: first.seconds, at });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return { file, built: JSON.parse(readFileSync(builtFile, 'utf8')) as CachedReadModels['built'] };
}
