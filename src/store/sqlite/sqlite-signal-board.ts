import type Database from 'better-sqlite3';
import { openSqlite } from './open-sqlite.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Subject } from 'rxjs';
import type { BoardSignal, SignalBoard } from '../ports/signal-board.js';

/** How often the board is read for what other processes posted: the latency of a typing frame across processes. */
const POLL_MS = 100;
/** How often expired signals are deleted. */
const PRUNE_MS = 5000;

interface Row {
  id: number;
  expires_at: number;
  body: string;
}

/**
 * The embedded default's signal board: a table in its own SQLite file in the data directory,
 * shared by every process on that directory (as the log is). Each process polls for rows after
 * the last it read, and deletes expired rows now and then: the table holds seconds of signals.
 */
export class SqliteSignalBoard implements SignalBoard {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[number, string]>;
  private readonly after: Database.Statement<[number, number], Row>;
  private readonly live: Database.Statement<[number], Row>;
  private readonly prune: Database.Statement<[number]>;
  private readonly subject = new Subject<BoardSignal>();
  private readonly poller: NodeJS.Timeout;
  private readonly pruner: NodeJS.Timeout;
  private lastId: number;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = openSqlite(file);
    this.db.pragma('journal_mode = WAL');
    // A signal lost to a power cut is a typing frame that never came: nothing to sync for.
    this.db.pragma('synchronous = OFF');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS signals (id INTEGER PRIMARY KEY AUTOINCREMENT, expires_at INTEGER NOT NULL, body TEXT NOT NULL);' +
        'CREATE INDEX IF NOT EXISTS signals_expires_at ON signals (expires_at);',
    );
    this.insert = this.db.prepare('INSERT INTO signals (expires_at, body) VALUES (?, ?)');
    this.after = this.db.prepare('SELECT id, expires_at, body FROM signals WHERE id > ? AND expires_at > ? ORDER BY id');
    this.live = this.db.prepare('SELECT id, expires_at, body FROM signals WHERE expires_at > ? ORDER BY id');
    this.prune = this.db.prepare('DELETE FROM signals WHERE expires_at <= ?');
    this.lastId = (this.db.prepare('SELECT coalesce(max(id), 0) AS id FROM signals').get() as { id: number }).id;
    this.poller = setInterval(() => this.poll(), POLL_MS);
    this.poller.unref();
    this.pruner = setInterval(() => this.prune.run(Date.now()), PRUNE_MS);
    this.pruner.unref();
  }

  get signals() {
    return this.subject.asObservable();
  }

  async post(signal: BoardSignal): Promise<void> {
    this.insert.run(signal.expiresAt, JSON.stringify(signal.body));
    // Seen here at once, not at the next poll; the poll goes on from it.
    this.poll();
  }

  async current(): Promise<BoardSignal[]> {
    return this.live.all(Date.now()).map(toSignal);
  }

  private poll(): void {
    for (const row of this.after.all(this.lastId, Date.now())) {
      this.lastId = row.id;
      this.subject.next(toSignal(row));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.poller);
    clearInterval(this.pruner);
    this.subject.complete();
    this.db.close();
  }
}

function toSignal(row: Row): BoardSignal {
  return { expiresAt: row.expires_at, body: JSON.parse(row.body) as Record<string, unknown> };
}
