import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ObjectId, type GridFSBucket } from 'mongodb';
import { MediaDigest } from '../ports/media-digest.js';
import type { ByteRange, MediaContent, MediaStore, StoredMedia } from '../ports/media-store.js';

/** Ids this store hands out: GridFS ObjectIds, as 24 hex digits. */
const ID = /^[0-9a-f]{24}$/;

/**
 * The production media store: MongoDB GridFS, in the read store's database, so media scale
 * and replicate with it. An upload that fails halfway is aborted, which deletes its chunks.
 */
export class GridFsMediaStore implements MediaStore {
  constructor(private readonly bucket: GridFSBucket) {}

  async put(source: Readable | Uint8Array): Promise<StoredMedia> {
    const digest = new MediaDigest();
    const upload = this.bucket.openUploadStream('media');
    try {
      await pipeline(source instanceof Readable ? source : Readable.from([source]), digest, upload);
    } catch (error) {
      await upload.abort().catch(() => undefined);
      throw error;
    }
    return { id: upload.id.toHexString(), size: digest.size, sha256: digest.sha256() };
  }

  async get(id: string, range?: ByteRange): Promise<MediaContent | null> {
    if (!ID.test(id)) return null;
    const _id = new ObjectId(id);
    const file = await this.bucket.find({ _id }, { limit: 1 }).next();
    if (!file) return null;
    // GridFS counts the end of a range exclusively, HTTP inclusively.
    const stream = this.bucket.openDownloadStream(_id, range ? { start: range.start, end: range.end + 1 } : {});
    return { stream, size: file.length };
  }

  async delete(id: string): Promise<void> {
    if (!ID.test(id)) return;
    const _id = new ObjectId(id);
    // GridFS throws when deleting a file it does not have; the port forgets unknown ids quietly.
    if (await this.bucket.find({ _id }, { limit: 1 }).hasNext()) await this.bucket.delete(_id);
  }
}
