import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from '../harness/bench-options.js';
import type { CachedLog } from './cached-log.js';
import { cachedReadModels, type CachedReadModels } from './cached-read-models.js';
import { cachedSearchIndex, type CachedSearchIndex } from './cached-search-index.js';

/** A fresh data directory holding copies of a cached log, its read models and its search index. */
export interface ServedDataDir {
  dataDir: string;
  readModels: CachedReadModels;
  index: CachedSearchIndex;
}

/**
 * A data directory as a server that ran on the log and stopped leaves it: the log, the read models
 * at their checkpoints and the search index at its own, each copied from the cache (the server
 * writes beside them, and the cache stays pristine). A start on it resumes; it builds nothing.
 */
export async function servedDataDir(log: CachedLog, options: BenchOptions, prefix: string): Promise<ServedDataDir> {
  const readModels = await cachedReadModels(log, options);
  const index = await cachedSearchIndex(log, readModels, options);
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  copyFileSync(log.file, join(dataDir, 'events.db'));
  copyFileSync(readModels.file, join(dataDir, 'read-models.db'));
  copyFileSync(index.file, join(dataDir, 'search.db'));
  return { dataDir, readModels, index };
}
