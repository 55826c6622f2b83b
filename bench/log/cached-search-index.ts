import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEARCH_INDEX_FORMAT } from '../../src/store/sqlite/sqlite-search-index.js';
import type { BenchOptions } from '../harness/bench-options.js';
import { timedStart } from '../harness/timed-start.js';
import type { CachedLog } from './cached-log.js';
import type { CachedReadModels } from './cached-read-models.js';

/** A generated log's `search.db`, as eschat's start built it from the log. */
export interface CachedSearchIndex {
  /** The index's file; copy it (beside copies of the log and its read models) before serving from it. */
  file: string;
  /** How long the start that built it took, and when it ran. */
  built: { seconds: number; at: string };
}

/** Where a log's search index is cached: keyed by the index's format, since another format is rebuilt at start. */
export function searchIndexFiles(log: string): { file: string; builtFile: string } {
  const base = `${log.replace(/\.db$/, '')}.search-v${SEARCH_INDEX_FORMAT}`;
  return { file: `${base}.db`, builtFile: `${base}.json` };
}

/**
 * Keeps the `search.db` a start built in `dataDir` (stopped gracefully) as the log's cached
 * index, unless one is cached already: the first start that builds the read models builds it too.
 */
export function keepSearchIndex(log: string, dataDir: string, built: CachedSearchIndex['built']): void {
  const { file, builtFile } = searchIndexFiles(log);
  if (existsSync(file) && existsSync(builtFile)) return;
  if (existsSync(join(dataDir, 'search.db-wal'))) throw new Error('search.db kept its WAL after a graceful stop');
  renameSync(join(dataDir, 'search.db'), file);
  writeFileSync(builtFile, JSON.stringify(built, null, 2));
}

/**
 * The `search.db` of a generated log, from bench/.cache/ when an earlier run built it with the
 * same index format; built otherwise by a start on copies of the log and its cached read models
 * (eschat serves once the index has caught up with the log), stopped gracefully.
 */
export async function cachedSearchIndex(
  { file: log, manifest }: CachedLog,
  readModels: CachedReadModels,
  options: BenchOptions,
): Promise<CachedSearchIndex> {
  const { file, builtFile } = searchIndexFiles(log);
  if (!existsSync(file) || !existsSync(builtFile)) {
    const dataDir = mkdtempSync(join(tmpdir(), 'eschat-bench-search-'));
    try {
      console.error(`building the search index of ${log} (an eschat start on it) ...`);
      copyFileSync(log, join(dataDir, 'events.db'));
      copyFileSync(readModels.file, join(dataDir, 'read-models.db'));
      const at = new Date().toISOString();
      const start = await timedStart({ dataDir, tls: options.tls }, manifest, 'search index build');
      await start.server.stop();
      keepSearchIndex(log, dataDir, { seconds: start.seconds, at });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return { file, built: JSON.parse(readFileSync(builtFile, 'utf8')) as CachedSearchIndex['built'] };
}
