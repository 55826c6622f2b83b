import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteReadStore } from '../../../src/store/sqlite/sqlite-read-store.js';
import { readStoreContract } from '../ports/read-store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'eschat-read-'));
after(function () {
  rmSync(dir, { recursive: true, force: true });
});

readStoreContract('sqlite', async () => new SqliteReadStore(join(dir, 'contract.db')));
