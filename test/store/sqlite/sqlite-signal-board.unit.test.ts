import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, filter } from 'rxjs';
import { SqliteSignalBoard } from '../../../src/store/sqlite/sqlite-signal-board.js';

describe('SQLite signal board', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'eschat-board-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('shows what one board posts to another on the same file, and forgets it once expired', async () => {
    const [one, two] = [new SqliteSignalBoard(join(dir, 'signals.db')), new SqliteSignalBoard(join(dir, 'signals.db'))];
    const seen = firstValueFrom(two.signals.pipe(filter((signal) => signal.body['n'] === 1)));
    await one.post({ expiresAt: Date.now() + 60_000, body: { n: 1 } });
    await one.post({ expiresAt: Date.now() - 1, body: { n: 2 } });
    expect((await seen).body).to.deep.equal({ n: 1 });
    expect((await two.current()).map((signal) => signal.body)).to.deep.equal([{ n: 1 }]);
    await Promise.all([one.close(), two.close()]);
  });
});
