import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { MediaStore } from '../../../src/store/ports/media-store.js';

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** What every MediaStore adapter owes the HTTP layer. */
export function mediaStoreContract(name: string, open: () => Promise<MediaStore>): void {
  describe(`MediaStore contract: ${name}`, function () {
    let store: MediaStore;
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    before(async function () {
      store = await open();
    });

    it('stores bytes from a stream under a new id with their size and SHA-256, and gives them back', async () => {
      const stored = await store.put(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
      expect(stored.size).to.equal(bytes.length);
      expect(stored.sha256).to.equal(createHash('sha256').update(bytes).digest('hex'));
      const content = await store.get(stored.id);
      expect(content?.size).to.equal(bytes.length);
      expect((await bytesOf(content!.stream)).equals(bytes)).to.equal(true);
    });

    it('gives back a range, both ends included, with the size of the whole file', async () => {
      const stored = await store.put(bytes);
      const content = await store.get(stored.id, { start: 262_140, end: 262_150 });
      expect(content?.size).to.equal(bytes.length);
      expect((await bytesOf(content!.stream)).equals(bytes.subarray(262_140, 262_151))).to.equal(true);
    });

    it('knows nothing of unknown or malformed ids, and forgets deleted ones', async () => {
      const stored = await store.put(Buffer.from('short'));
      expect(await store.get('../../etc/passwd')).to.equal(null);
      expect(await store.get('00000000-0000-4000-8000-000000000000')).to.equal(null);
      await store.delete(stored.id);
      await store.delete(stored.id);
      expect(await store.get(stored.id)).to.equal(null);
      const other = await store.put(Buffer.from('other'));
      expect(other.id).not.to.equal(stored.id);
    });
  });
}
