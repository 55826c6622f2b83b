import type { Readable } from 'node:stream';

/** What the store knows of bytes it keeps: their id, length and SHA-256 (hex). */
export interface StoredMedia {
  id: string;
  size: number;
  sha256: string;
}

/** Bytes `start` to `end`, both included, as HTTP ranges count them. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface MediaContent {
  /** The bytes asked for: all of them, or the range. */
  stream: Readable;
  /** The size of the whole file, whatever was asked for. */
  size: number;
}

/**
 * The media store port: uploaded bytes, kept outside the event log (which records only their
 * facts). Adapters: fs-media-store (files on disk, embedded) and gridfs-media-store (MongoDB).
 */
export interface MediaStore {
  /** Stores the bytes under a new id. */
  put(source: Readable | Uint8Array): Promise<StoredMedia>;
  /** The bytes of `id` (or a range of them, which must lie within the file); null when unknown. */
  get(id: string, range?: ByteRange): Promise<MediaContent | null>;
  /** Forgets `id`; forgetting an unknown id does nothing. */
  delete(id: string): Promise<void>;
}
