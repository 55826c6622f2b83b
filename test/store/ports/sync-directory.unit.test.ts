import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncDirectory } from '../../../src/store/ports/sync-directory.js';

describe('syncDirectory', () => {
  it('syncs a directory, and refuses one that is not there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eschat-sync-'));
    expect(() => syncDirectory(dir)).not.to.throw();
    expect(() => syncDirectory(join(dir, 'missing'))).to.throw(/ENOENT/);
  });
});
