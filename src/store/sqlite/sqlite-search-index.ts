import type Database from 'better-sqlite3';
import { openSqlite } from './open-sqlite.js';
import type { IndexedMessage, SearchBatch, SearchIndex, SearchQuery, SearchWrite } from '../ports/search-index.js';
import type { JournaledStore } from '../ports/journaled-store.js';
import { searchBody, termTokens, type SearchTerm } from '../ports/search-text.js';
import { truncateWal } from './truncate-wal.js';

/** Raise it when the table's shape or the indexed text changes: the index is emptied and rebuilt from the log. */
export const SEARCH_INDEX_FORMAT = 2;

/**
 * Up to this many rooms a search matches the terms *and* the caller's room tokens, so FTS5 walks
 * only the matches in those rooms; past it the OR of that many posting lists costs more than a
 * walk of the newest matches, which then comes first (see `search`).
 */
const ROOM_TOKEN_ROOMS = 128;
/** How many of the newest matches a caller in more rooms walks before narrowing to its room tokens. */
const SCAN_WINDOW = 1000;

interface Row {
  id: number;
  room: number;
  sender: number;
  at: string;
  text: string;
}

/**
 * The search index on SQLite FTS5, in a file of its own (`<data>/search.db`, or `:memory:` beside
 * the memory read store). `body` is what is matched (search-text.ts: CJK runs as pairs), folded
 * by `unicode61 remove_diacritics 2`, with prefix indexes of 2 and 3 characters (`we*`, `tom*`:
 * one posting list instead of a merge of every word they start); `room_token` is the room as a
 * token (`r<id>`), so FTS5 can intersect a word with the caller's rooms; the other columns are
 * only stored. Every match is column-filtered, so a word never matches a room token.
 * `secure-delete` makes a deletion remove the text's tokens from the index at once, not at a
 * later merge, and `secure_delete` overwrites freed pages: a deleted text stays in no page of the
 * file. Several processes may share the file (WAL); commits are fenced on the checkpoint in one
 * `BEGIN IMMEDIATE`.
 */
export class SqliteSearchIndex implements SearchIndex, JournaledStore {
  private readonly db: Database.Database;
  private readonly statements: {
    checkpoint: Database.Statement<[], { position: number; format: number }>;
    matches: Database.Statement<[string, number, number], Row>;
    move: Database.Statement<[number]>;
    upsert: Database.Statement<[number, string, string, string, string, number, number]>;
    edit: Database.Statement<[string, string, number]>;
    remove: Database.Statement<[number]>;
    removeSender: Database.Statement<[number]>;
  };
  private readonly apply: (batch: SearchBatch) => boolean;

  constructor(file: string) {
    this.db = openSqlite(file);
    // First: another process opening the file at the same moment holds it briefly.
    this.db.pragma('busy_timeout = 5000');
    if (file !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('secure_delete = ON');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS search_checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL, format INTEGER NOT NULL);
      INSERT OR IGNORE INTO search_checkpoint (id, position, format) VALUES (1, 0, ${SEARCH_INDEX_FORMAT});
    `);
    const stored = this.db.prepare<[], { format: number }>('SELECT format FROM search_checkpoint WHERE id = 1').get();
    if (stored?.format !== SEARCH_INDEX_FORMAT) {
      this.db.exec(
        `DROP TABLE IF EXISTS messages; UPDATE search_checkpoint SET position = 0, format = ${SEARCH_INDEX_FORMAT} WHERE id = 1;`,
      );
    }
    this.db.exec(`
      CREATE VIRTUAL TABLE IF NOT EXISTS messages USING fts5(
        body, room_token, text UNINDEXED, at UNINDEXED, room UNINDEXED, sender UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
      );
      INSERT INTO messages (messages, rank) VALUES ('secure-delete', 1);
    `);
    this.statements = {
      checkpoint: this.db.prepare('SELECT position, format FROM search_checkpoint WHERE id = 1'),
      // FTS5 walks the matches by rowid, newest first, and stops at the limit: rowids are message ids.
      matches: this.db.prepare(
        'SELECT rowid AS id, room, sender, at, text FROM messages WHERE messages MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?',
      ),
      move: this.db.prepare('UPDATE search_checkpoint SET position = ? WHERE id = 1'),
      upsert: this.db.prepare(
        'INSERT OR REPLACE INTO messages (rowid, body, room_token, text, at, room, sender) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      edit: this.db.prepare('UPDATE messages SET body = ?, text = ? WHERE rowid = ?'),
      remove: this.db.prepare('DELETE FROM messages WHERE rowid = ?'),
      // Rare (an erasure): a scan of the index is fine.
      removeSender: this.db.prepare('DELETE FROM messages WHERE sender = ?'),
    };
    const commit = this.db.transaction((batch: SearchBatch): boolean => {
      if (this.statements.checkpoint.get()?.position !== batch.from) return false;
      for (const write of batch.writes) this.write(write);
      this.statements.move.run(batch.to);
      return true;
    });
    this.apply = (batch) => commit.immediate(batch);
  }

  checkpoint(): Promise<number> {
    return Promise.resolve(this.statements.checkpoint.get()?.position ?? 0);
  }

  commit(batch: SearchBatch): Promise<boolean> {
    try {
      return Promise.resolve(this.apply(batch));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  search(query: SearchQuery): Promise<IndexedMessage[]> {
    if (query.terms.length === 0 || query.rooms.length === 0) return Promise.resolve([]);
    const words = `body : (${matchExpression(query.terms)})`;
    const before = query.before ?? Number.MAX_SAFE_INTEGER;
    if (query.rooms.length <= ROOM_TOKEN_ROOMS)
      return Promise.resolve(this.statements.matches.all(inRooms(words, query.rooms), before, query.limit));
    // Many rooms: they likely hold many of the newest matches, found by a bounded walk; if they
    // hold too few of them, the rest is asked with their tokens, older than the walk reached.
    const rooms = new Set(query.rooms);
    const hits: Row[] = [];
    let walked = 0;
    let oldest = before;
    for (const row of this.statements.matches.iterate(words, before, SCAN_WINDOW)) {
      walked += 1;
      oldest = row.id;
      if (rooms.has(row.room)) hits.push(row);
      // Leaving the loop resets the statement: FTS5 reads no further match.
      if (hits.length === query.limit) break;
    }
    if (hits.length === query.limit || walked < SCAN_WINDOW) return Promise.resolve(hits);
    const older = this.statements.matches.all(inRooms(words, query.rooms), oldest, query.limit - hits.length);
    return Promise.resolve([...hits, ...older]);
  }

  /** JournaledStore: the WAL folded in and truncated, after an erasure (README, "Erasure"). */
  truncateJournal(): Promise<boolean> {
    return Promise.resolve(truncateWal(this.db));
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }

  private write(write: SearchWrite): void {
    if ('upsert' in write) {
      const { id, text, at, room, sender } = write.upsert;
      this.statements.upsert.run(id, searchBody(text), roomToken(room), text, at, room, sender);
    } else if ('edit' in write) {
      this.statements.edit.run(searchBody(write.edit.text), write.edit.text, write.edit.id);
    } else if ('delete' in write) {
      this.statements.remove.run(write.delete.id);
    } else {
      this.statements.removeSender.run(write.eraseSender.sender);
    }
  }
}

const roomToken = (room: number): string => `r${room}`;

/** `words` in messages of `rooms` only: FTS5 intersects the words' posting lists with the rooms'. */
function inRooms(words: string, rooms: readonly number[]): string {
  return `${words} AND room_token : (${rooms.map((room) => `"${roomToken(room)}"`).join(' OR ')})`;
}

/**
 * The FTS5 query of the terms, all required: each a quoted string (the query's own syntax never
 * reaches FTS5), a word's prefix as `"hel"*`, a CJK run as the phrase of its pairs, one CJK
 * character as the prefix of the pairs it starts.
 */
export function matchExpression(terms: readonly SearchTerm[]): string {
  return terms
    .map((term) => {
      const quoted = `"${termTokens(term).join(' ').replaceAll('"', '""')}"`;
      const prefix = term.kind === 'word' ? term.prefix : [...term.text].length === 1;
      return prefix ? `${quoted}*` : quoted;
    })
    .join(' AND ');
}
