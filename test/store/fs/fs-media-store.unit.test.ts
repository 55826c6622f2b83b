import { expect } from 'chai';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FsMediaStore } from '../../../src/store/fs/fs-media-store.js';
import { mediaStoreContract } from '../ports/media-store.contract.js';

mediaStoreContract('files on disk', async () => new FsMediaStore(join(mkdtempSync(join(tmpdir(), 'eschat-media-')), 'media')));

describe('FsMediaStore', () => {
  it('leaves no file behind when the upload stream fails halfway', async () => {
    const directory = join(mkdtempSync(join(tmpdir(), 'eschat-media-')), 'media');
    const store = new FsMediaStore(directory);
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1000));
        this.destroy(new Error('client went away'));
      },
    });
    let failure: unknown;
    await store.put(failing).catch((error: unknown) => (failure = error));
    expect(String(failure)).to.include('client went away');
    expect(readdirSync(directory)).to.deep.equal([]);
  });
});
