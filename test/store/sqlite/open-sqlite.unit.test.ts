import { expect } from 'chai';
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqlite, PAGE_CACHE_KIB } from '../../../src/store/sqlite/open-sqlite.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(file) : entry.name.endsWith('.ts') ? [file] : [];
  });
}

describe('openSqlite', () => {
  it("bounds the connection's page cache below better-sqlite3's default", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'eschat-open-sqlite-')), 'bounded.db');
    const plain = new Database(file);
    const bounded = openSqlite(file);
    try {
      expect(bounded.pragma('cache_size', { simple: true })).to.equal(-PAGE_CACHE_KIB);
      // better-sqlite3 builds SQLite with a 16 MB cache: the bound is the opener's, not a default.
      expect(plain.pragma('cache_size', { simple: true })).to.be.below(-PAGE_CACHE_KIB);
    } finally {
      bounded.close();
      plain.close();
    }
  });

  it('opens every SQLite connection of the server (no connection with the 16 MB cache)', () => {
    const opening = sourceFiles('src').filter((file) => /new Database\(/.test(readFileSync(path.join(root, file), 'utf8')));
    expect(opening).to.deep.equal(['src/store/sqlite/open-sqlite.ts']);
  });
});
