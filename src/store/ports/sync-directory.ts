import { closeSync, fsyncSync, openSync } from 'node:fs';

/** Syncs a directory: a new file's directory entry is only durable once its directory is synced. */
export function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
