import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MediaDigest } from '../ports/media-digest.js';
import type { ByteRange, MediaContent, MediaStore, StoredMedia } from '../ports/media-store.js';

/** Ids this store hands out (UUIDs): anything else never reaches the file system. */
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The embedded media store: one file per upload in a directory (`<dataDir>/media`). A file is
 * written under a temporary name and renamed when complete, so a crash never leaves half a
 * file under a real id.
 */
export class FsMediaStore implements MediaStore {
  constructor(private readonly directory: string) {}

  async put(source: Readable | Uint8Array): Promise<StoredMedia> {
    await mkdir(this.directory, { recursive: true });
    const id = randomUUID();
    const partial = join(this.directory, `${id}.part`);
    const digest = new MediaDigest();
    try {
      await pipeline(source instanceof Readable ? source : Readable.from([source]), digest, createWriteStream(partial, { flags: 'wx' }));
      await rename(partial, this.path(id));
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return { id, size: digest.size, sha256: digest.sha256() };
  }

  async get(id: string, range?: ByteRange): Promise<MediaContent | null> {
    if (!ID.test(id)) return null;
    const file = this.path(id);
    const size = await stat(file).then(
      (stats) => stats.size,
      () => null,
    );
    if (size === null) return null;
    return { stream: createReadStream(file, range ? { start: range.start, end: range.end } : {}), size };
  }

  async delete(id: string): Promise<void> {
    if (ID.test(id)) await rm(this.path(id), { force: true });
  }

  private path(id: string): string {
    return join(this.directory, id);
  }
}
