import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteSignalBoard } from '../../../src/store/sqlite/sqlite-signal-board.js';
import { signalBoardContract } from '../ports/signal-board.contract.js';

// A place is a data directory: every board on it opens the same signals.db, as processes on one directory do.
signalBoardContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eschat-board-'));
  return {
    open: async () => new SqliteSignalBoard(join(dir, 'signals.db')),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
