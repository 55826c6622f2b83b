import Database from 'better-sqlite3';

/**
 * KiB of page cache per connection: SQLite's own default. better-sqlite3 builds SQLite with 16 MB
 * (`SQLITE_DEFAULT_CACHE_SIZE=-16000`), and a server holds seven connections (the log, its page
 * thread, the read models, search, delivery cursors, keys, signals): under `npm run bench -- scale`'s
 * load their caches grew the main thread's malloc heap by ~30 MiB, with no request served faster
 * (a page past the cache is read from the OS's page cache).
 */
export const PAGE_CACHE_KIB = 2000;

/** A connection to an SQLite file with its page cache bounded: every connection the server opens is opened here. */
export function openSqlite(file: string, options?: Database.Options): Database.Database {
  const db = new Database(file, options);
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  return db;
}
