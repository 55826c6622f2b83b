import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../harness/repo-paths.js';
import { generateLog } from './generate-log.js';
import type { LogManifest } from './log-manifest.js';

/** Raise when the generator changes what it writes: an old cache is then ignored. */
const GENERATOR_VERSION = 3;

export interface CachedLog {
  /** The SQLite event log; copy it before serving from it. */
  file: string;
  manifest: LogManifest;
}

/**
 * The generated log of about `events` events, from bench/.cache/ when an earlier run made it;
 * generated there otherwise (about a minute per million events), through a temporary name so
 * that an interrupted run leaves no half log behind.
 */
export async function cachedLog(events: number): Promise<CachedLog> {
  const base = join(cacheDir, `log-${events}-v${GENERATOR_VERSION}`);
  const file = `${base}.db`;
  const manifestFile = `${base}.json`;
  if (!existsSync(file) || !existsSync(manifestFile)) {
    mkdirSync(cacheDir, { recursive: true });
    const temporary = `${base}.tmp.db`;
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${temporary}${suffix}`, { force: true });
    console.error(`generating a ${events.toLocaleString('en-US')}-event log into ${file} ...`);
    const manifest = await generateLog(temporary, events);
    renameSync(temporary, file);
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  }
  return { file, manifest: JSON.parse(readFileSync(manifestFile, 'utf8')) as LogManifest };
}
