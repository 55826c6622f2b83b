import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KEY_BYTES } from './personal-data-cipher.js';
import { syncDirectory } from '../ports/sync-directory.js';

/** Where the embedded default keeps the master key it made, when none is configured. */
export const masterKeyFile = (dataDir: string) => join(dataDir, 'master.key');

/**
 * The master key: the configured one (ESCHAT_MASTER_KEY, base64), else the data directory's
 * `master.key`, made on first start (32 random bytes, base64, mode 0600, never overwritten: a
 * second process starting at the same time reads the first one's). A configured key is the
 * production choice: then the data directory alone (a stolen disk, a backup) cannot unwrap keys.
 */
export function masterKeyOf(config: { masterKey?: string | undefined; dataDir: string }): Buffer {
  if (config.masterKey !== undefined) return Buffer.from(config.masterKey, 'base64');
  const file = masterKeyFile(config.dataDir);
  mkdirSync(config.dataDir, { recursive: true });
  createOnce(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${file} does not hold a master key (base64 of ${KEY_BYTES} bytes)`);
  return key;
}

/**
 * Makes `file` hold `text` unless it exists, so that it is never seen otherwise than whole: written
 * and synced under a name of this process's, then linked to its name (which fails when another
 * process was first). Created in place, it was empty until written, and a second process starting
 * at the same moment read it so and stopped. Synced before it is linked: every person's key is
 * wrapped with it, so a crash must not leave it empty.
 */
function createOnce(file: string, text: string): void {
  const temporary = `${file}.${randomUUID()}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, file);
    syncDirectory(dirname(file));
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  } finally {
    unlinkSync(temporary);
  }
}
