import type Database from 'better-sqlite3';
import { openSqlite } from './open-sqlite.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { UserId } from '../../events/recorded-event.js';
import type { KeyStore, StoredKey } from '../ports/key-store.js';
import { WalSync } from './wal-sync.js';

interface Row {
  subject: number;
  wrapped: Buffer | null;
}

/**
 * People's keys on the embedded default: `keys.db` in the data directory, a file of its own
 * rather than a table beside the log or the read models. The log's file is what gets copied,
 * backed up and shipped; the keys must be able to go (and be backed up, or not) apart from it,
 * and deleting one must really remove it: `secure_delete` overwrites the freed row with zeros,
 * and the WAL is checkpointed and truncated right after, so no old page keeps the key either.
 * A row with a null key is an erased person's tombstone. A new key is on disk before `create`
 * resolves, synced on a thread (WalSync) rather than on the event loop: a key lost in a crash
 * would leave its person's events unreadable, and a sync on the loop stopped everything else for
 * ~2 ms per registration.
 */
export class SqliteKeyStore implements KeyStore {
  private readonly db: Database.Database;
  private readonly select: Database.Statement<[number], Row>;
  private readonly insert: Database.Statement<[number, Buffer]>;
  private readonly tombstone: Database.Statement<[number]>;
  private readonly sync: WalSync;

  /** `syncThread`: the script the WAL is synced on (tests pass a broken one). */
  constructor(file: string, syncThread?: URL) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = openSqlite(file);
    this.db.pragma('journal_mode = WAL');
    // Never FULL: it syncs on the event loop. A new key waits for WalSync instead; an erasure's checkpoint syncs both files.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('secure_delete = ON');
    this.db.pragma('busy_timeout = 10000');
    this.db.exec('CREATE TABLE IF NOT EXISTS person_keys (subject INTEGER PRIMARY KEY, wrapped BLOB)');
    this.select = this.db.prepare('SELECT subject, wrapped FROM person_keys WHERE subject = ?');
    this.insert = this.db.prepare('INSERT INTO person_keys (subject, wrapped) VALUES (?, ?) ON CONFLICT (subject) DO NOTHING');
    this.tombstone = this.db.prepare(
      'INSERT INTO person_keys (subject, wrapped) VALUES (?, NULL) ON CONFLICT (subject) DO UPDATE SET wrapped = NULL',
    );
    this.sync = WalSync.open(file, syncThread);
  }

  async get(subject: UserId): Promise<StoredKey | null> {
    const row = this.select.get(subject);
    return row === undefined ? null : stored(row);
  }

  async create(subject: UserId, wrapped: Buffer): Promise<StoredKey> {
    this.insert.run(subject, wrapped);
    await new Promise<void>((resolve, reject) => this.sync.afterCommit((error) => (error ? reject(error) : resolve())));
    const row = this.select.get(subject);
    if (row === undefined) throw new Error(`the key of user ${subject} was not kept`);
    return stored(row);
  }

  async erase(subject: UserId): Promise<void> {
    this.tombstone.run(subject);
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  async *entries(): AsyncIterable<[UserId, StoredKey]> {
    for (const row of this.db.prepare<[], Row>('SELECT subject, wrapped FROM person_keys ORDER BY subject').iterate()) {
      yield [row.subject, stored(row)];
    }
  }

  async close(): Promise<void> {
    this.sync.close();
    this.db.close();
  }
}

function stored(row: Row): StoredKey {
  return row.wrapped === null ? { state: 'erased' } : { state: 'key', wrapped: row.wrapped };
}
