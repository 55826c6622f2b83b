import type Database from 'better-sqlite3';

/**
 * `PRAGMA wal_checkpoint(TRUNCATE)`: every frame of the WAL copied into the database file, then
 * the WAL cut to zero bytes, so no earlier version of a page stays in it (with `secure_delete`,
 * freed space in the file itself is zeroed). True when it finished; false when a reader on an
 * older snapshot (another process) kept it from it within the connection's busy timeout.
 */
export function truncateWal(db: Database.Database): boolean {
  const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
  return result?.busy === 0;
}
