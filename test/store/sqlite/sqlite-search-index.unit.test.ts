import Database from 'better-sqlite3';
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IndexedMessage } from '../../../src/store/ports/search-index.js';
import { searchBody, searchTerms } from '../../../src/store/ports/search-text.js';
import { SqliteSearchIndex } from '../../../src/store/sqlite/sqlite-search-index.js';

const message = (id: number, text: string, room = 1): IndexedMessage => ({ id, room, sender: 9, at: '2026-01-01T00:00:00.000Z', text });

describe('SqliteSearchIndex (FTS5)', () => {
  let dir: string;
  let index: SqliteSearchIndex;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eschat-search-'));
    index = new SqliteSearchIndex(join(dir, 'search.db'));
  });
  afterEach(async () => {
    await index.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  async function put(...messages: IndexedMessage[]): Promise<void> {
    const from = await index.checkpoint();
    expect(await index.commit({ from, to: from + 100, writes: messages.map((upsert) => ({ upsert })) })).to.equal(true);
  }
  const ids = async (q: string, rooms = [1], before: number | null = null, limit = 10) =>
    (await index.search({ terms: searchTerms(q), rooms, before, limit })).map((hit) => hit.id);

  it('finds words whatever their case and diacritics, Russian included, newest first', async () => {
    await put(message(1, 'Un café à Paris'), message(2, 'CAFE crème'), message(3, 'Привет, МИР!'), message(4, 'мир во всём мире'));
    expect(await ids('cafe')).to.deep.equal([2, 1]);
    expect(await ids('CAFÉ creme')).to.deep.equal([2]);
    expect(await ids('мир')).to.deep.equal([4, 3]);
    expect(await ids('ПРИВЕТ')).to.deep.equal([3]);
    expect(await ids('всем'), 'ё folds to е').to.deep.equal([4]);
    expect(await ids('cre*'), 'a prefix').to.deep.equal([2]);
    expect(await ids('caf'), 'a word is matched whole').to.deep.equal([]);
  });

  it('finds Chinese and Japanese text by any substring, one character included', async () => {
    await put(message(1, '我爱北京天安门'), message(2, '北京欢迎你'), message(3, '东京は日本の首都です'), message(4, 'hello世界'));
    expect(await ids('北京')).to.deep.equal([2, 1]);
    expect(await ids('天安门')).to.deep.equal([1]);
    expect(await ids('爱北京天')).to.deep.equal([1]);
    expect(await ids('京')).to.deep.equal([3, 2, 1]);
    expect(await ids('门')).to.deep.equal([1]);
    expect(await ids('北门'), 'not a substring').to.deep.equal([]);
    expect(await ids('日本')).to.deep.equal([3]);
    expect(await ids('世界 hello')).to.deep.equal([4]);
  });

  it('searches only the rooms asked for, pages back by id, and never reads query syntax', async () => {
    await put(message(1, 'alpha', 1), message(2, 'alpha', 2), message(3, 'alpha', 1), message(4, 'alpha', 1));
    expect(await ids('alpha', [1])).to.deep.equal([4, 3, 1]);
    expect(await ids('alpha', [2])).to.deep.equal([2]);
    expect(await ids('alpha', [1, 2], 4, 2)).to.deep.equal([3, 2]);
    expect(await ids('alpha', [])).to.deep.equal([]);
    for (const hostile of ['"', 'alpha OR', 'NEAR(alpha', 'alpha"*', '^alpha', 'alpha AND NOT', '-alpha', '*']) {
      await index.search({ terms: searchTerms(hostile), rooms: [1], before: null, limit: 10 });
    }
  });

  it('takes edits and deletions, and a deleted text is in no page of the file', async () => {
    await put(message(1, 'the launch code is zebra42'), message(2, 'first version'));
    const from = await index.checkpoint();
    expect(
      await index.commit({ from, to: from + 1, writes: [{ edit: { id: 2, text: 'second version' } }, { delete: { id: 1 } }] }),
    ).to.equal(true);
    expect(await ids('first')).to.deep.equal([]);
    expect(await ids('second')).to.deep.equal([2]);
    expect(await ids('zebra42')).to.deep.equal([]);
    await index.close();
    const bytes = readFileSync(join(dir, 'search.db'));
    expect(bytes.includes(Buffer.from('zebra42')), 'the deleted text in search.db').to.equal(false);
    expect(bytes.includes(Buffer.from('launch code')), 'the deleted text in search.db').to.equal(false);
  });

  it('applies a batch only from the checkpoint its writer read', async () => {
    expect(await index.commit({ from: 0, to: 10, writes: [{ upsert: message(5, 'one') }] })).to.equal(true);
    expect(await index.commit({ from: 0, to: 12, writes: [{ upsert: message(5, 'stale') }, { upsert: message(6, 'two') }] })).to.equal(
      false,
    );
    expect(await index.checkpoint()).to.equal(10);
    expect(await ids('stale')).to.deep.equal([]);
    expect(await ids('two')).to.deep.equal([]);
    const again = new SqliteSearchIndex(join(dir, 'search.db'));
    expect(await again.checkpoint(), 'kept in the file').to.equal(10);
    await again.close();
  });

  /** Removes the stored rows (not the indexed words) of these messages: reading one of them is then an error. */
  function unreadable(ids: readonly number[]): void {
    // Unsafe mode lifts SQLite's defensive flag, which forbids writing FTS5's own tables.
    const raw = new Database(join(dir, 'search.db')).unsafeMode(true);
    try {
      raw.prepare('DELETE FROM messages_content WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
    } finally {
      raw.close();
    }
  }

  it("finds a word in the caller's rooms through the room's token, reading no message of another room", async () => {
    const others = Array.from({ length: 50 }, (_, i) => message(i + 2, 'lunch again', 2));
    await put(message(1, 'lunch at noon', 1), ...others, message(60, 'no word of it', 1));
    // A walk of the word's matches testing each one's room reads room 2's 50 newer rows first.
    unreadable(others.map((other) => other.id));
    expect(await ids('lunch', [1])).to.deep.equal([1]);
    expect(await ids('lun*', [1, 3]), 'a prefix').to.deep.equal([1]);
    expect(await ids('r1', [1]), 'a word never matches a room token').to.deep.equal([]);
  });

  it("for a caller in many rooms, walks the newest matches, then the rest through its rooms' tokens", async () => {
    const many = Array.from({ length: 200 }, (_, i) => i + 1);
    const busy = Array.from({ length: 1100 }, (_, i) => message(i + 10, 'hello there', 1000));
    await put(message(1, 'hello old', 7), message(2, 'hello older', 1000), ...busy, message(5000, 'hello new', 42));
    // Past the walk, no message of another room is read.
    unreadable(busy.slice(0, 90).map((other) => other.id));
    expect(await ids('hello', many, null, 3), 'the newest match is theirs, older ones are past the walk').to.deep.equal([5000, 1]);
    expect(await ids('hello', many, 5000, 5)).to.deep.equal([1]);
    // The walk stops at a full page.
    unreadable(busy.slice(90, -1).map((other) => other.id));
    expect(await ids('hello', [...many, 1000], null, 2)).to.deep.equal([5000, 1109]);
  });

  it('indexes CJK runs as overlapping pairs, the last character alone', () => {
    expect(searchBody('我爱北京 ok').trim().split(/\s+/)).to.deep.equal(['我爱', '爱北', '北京', '京', 'ok']);
    expect(searchTerms('"北京" hel* , ok')).to.deep.equal([
      { kind: 'cjk', text: '北京' },
      { kind: 'word', text: 'hel', prefix: true },
      { kind: 'word', text: 'ok', prefix: false },
    ]);
  });
});
