import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MongoRuntimeError, ObjectId, type GridFSBucket } from 'mongodb';
import { MediaDigest } from '../ports/media-digest.js';
import type { ByteRange, MediaContent, MediaStore, StoredMedia } from '../ports/media-store.js';

/** Ids this store hands out: GridFS ObjectIds, as 24 hex digits. */
const ID = /^[0-9a-f]{24}$/;

/**
 * The production media store: MongoDB GridFS, in the read store's database, so media scale
 * and replicate with it. An upload that fails halfway leaves no chunk behind (see `put`).
 */
export class GridFsMediaStore implements MediaStore {
  constructor(private readonly bucket: GridFSBucket) {}

  async put(source: Readable | Uint8Array): Promise<StoredMedia> {
    const digest = new MediaDigest();
    const upload = this.bucket.openUploadStream('media');
    try {
      await pipeline(source instanceof Readable ? source : Readable.from([source]), digest, upload);
    } catch (error) {
      // abort() stops the chunk writes still to come, but throws without deleting anything once
      // the stream has ended (a failed last chunk or files document, in _final): delete what landed either way.
      await upload.abort().catch(() => undefined);
      await this.delete(upload.id.toHexString()).catch(() => undefined);
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
    try {
      // One call, no check first (another process may delete it in between): it deletes the
      // files document, then the chunks (orphans included), then throws when there was no file.
      await this.bucket.delete(new ObjectId(id));
    } catch (error) {
      // The port forgets unknown ids quietly; the driver says so with this error only (NODE-3483).
      if (!(error instanceof MongoRuntimeError && error.message.startsWith('File not found for id'))) throw error;
    }
  }
}
