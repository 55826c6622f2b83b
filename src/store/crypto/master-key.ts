import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_BYTES } from './personal-data-cipher.js';

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
  try {
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${file} does not hold a master key (base64 of ${KEY_BYTES} bytes)`);
  return key;
}
