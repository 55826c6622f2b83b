import type Database from 'better-sqlite3';
import { openSqlite } from './open-sqlite.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { UserId } from '../../events/recorded-event.js';
import { mergeCursor } from '../ports/cursor-merge.js';
import type { AwayRange, DeliveryStateStore, DeviceCursor } from '../ports/delivery-state-store.js';
import type { JournaledStore } from '../ports/journaled-store.js';
import { truncateWal } from './truncate-wal.js';

interface Row {
  user_id: number;
  device: string;
  acked_up_to: number;
  unacked: string;
  away: string | null;
  served: number | null;
}

type RowValues = [number, string, number, string, string | null, number | null];

/**
 * Delivery cursors of the embedded default, in their own SQLite file. WAL with
 * synchronous=NORMAL: a commit survives the process being killed (only a power loss can
 * take the last ones back), which for acknowledgements means a few deliveries repeated.
 */
export class SqliteDeliveryStateStore implements DeliveryStateStore, JournaledStore {
  private readonly db: Database.Database;
  private readonly select: Database.Statement<[number], Row>;
  private readonly upsert: Database.Statement<RowValues>;
  private readonly selectOne: Database.Statement<[number, string], Row>;
  private readonly saveAll: Database.Transaction<(cursors: readonly DeviceCursor[]) => void>;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = openSqlite(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // What an erased person leaves here must not linger in freed pages (README, "Erasure").
    this.db.pragma('secure_delete = ON');
    this.db.pragma('busy_timeout = 10000');
    // One transaction, taking the write lock first: processes starting together on one file would
    // otherwise both see a column missing, and the second ALTER fails ("duplicate column name").
    this.db
      .transaction(() => {
        this.db.exec(
          'CREATE TABLE IF NOT EXISTS device_cursors (user_id INTEGER NOT NULL, device TEXT NOT NULL, acked_up_to INTEGER NOT NULL, unacked TEXT NOT NULL, away TEXT, served INTEGER, PRIMARY KEY (user_id, device))',
        );
        // Files written before the away range and the served mark existed get their columns, empty.
        const columns = new Set((this.db.pragma('table_info(device_cursors)') as Array<{ name: string }>).map((column) => column.name));
        if (!columns.has('away')) this.db.exec('ALTER TABLE device_cursors ADD COLUMN away TEXT');
        if (!columns.has('served')) this.db.exec('ALTER TABLE device_cursors ADD COLUMN served INTEGER');
      })
      .immediate();
    this.select = this.db.prepare('SELECT user_id, device, acked_up_to, unacked, away, served FROM device_cursors WHERE user_id = ?');
    this.upsert = this.db.prepare(
      'INSERT INTO device_cursors (user_id, device, acked_up_to, unacked, away, served) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, device) DO UPDATE SET acked_up_to = excluded.acked_up_to, unacked = excluded.unacked, away = excluded.away, served = excluded.served',
    );
    this.selectOne = this.db.prepare(
      'SELECT user_id, device, acked_up_to, unacked, away, served FROM device_cursors WHERE user_id = ? AND device = ?',
    );
    // Read and written in one transaction: another process's save in between cannot be lost.
    this.saveAll = this.db.transaction((cursors: readonly DeviceCursor[]) => {
      for (const given of cursors) {
        const row = this.selectOne.get(given.userId, given.device);
        const cursor = mergeCursor(row === undefined ? undefined : cursorOf(row), given);
        const { away, served } = cursor;
        this.upsert.run(
          cursor.userId,
          cursor.device,
          cursor.ackedUpTo,
          JSON.stringify(cursor.unacked),
          away ? JSON.stringify(away) : null,
          served ?? null,
        );
      }
    });
  }

  async load(userId: UserId): Promise<DeviceCursor[]> {
    return this.select.all(userId).map(cursorOf);
  }

  /** Merges each cursor into what is stored (mergeCursor): a cursor never moves back. */
  async save(cursors: readonly DeviceCursor[]): Promise<void> {
    // IMMEDIATE: the write lock first, so the read it merges with is the latest.
    if (cursors.length > 0) this.saveAll.immediate(cursors);
  }

  /** JournaledStore: the WAL folded in and truncated, after an erasure (README, "Erasure"). */
  truncateJournal(): Promise<boolean> {
    return Promise.resolve(truncateWal(this.db));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function cursorOf(row: Row): DeviceCursor {
  return {
    userId: row.user_id,
    device: row.device,
    ackedUpTo: row.acked_up_to,
    unacked: JSON.parse(row.unacked) as number[],
    away: row.away === null ? undefined : (JSON.parse(row.away) as AwayRange[]),
    served: row.served ?? undefined,
  };
}
