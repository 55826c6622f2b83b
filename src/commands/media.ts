import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { EventTypes } from '../events/event-types.js';
import { mediaEventTypes, mediaStream, type MediaUploaded } from '../events/media.js';
import type { Position, UserId } from '../events/recorded-event.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { MediaStore } from '../store/ports/media-store.js';
import type { CommandContext } from './command-context.js';
import { handleCommand } from './command-handler.js';
import { CommandRefused, Refusal, type Decider } from './decider.js';
import { SIGNATURE_BYTES, guessMediaKind, mediaContentType, type MediaKind } from './media-signature.js';

/** Each id is uploaded once: the store made it up, so a second upload under it is a bug. */
const mediaDecider: Decider<{ uploaded: boolean }, MediaUploaded['data'], MediaUploaded> = {
  eventTypes: new EventTypes<MediaUploaded>(mediaEventTypes),
  initialState: { uploaded: false },
  evolve: () => ({ uploaded: true }),
  decide: (state, data) => (state.uploaded ? new Refusal('id_taken') : [{ type: 'MediaUploaded', data }]),
};

export interface Upload {
  owner: UserId;
  /** Null: judged from the bytes. */
  kind: MediaKind | null;
  /** The uploaded bytes, as a file (where the multipart parser left them). */
  file: string;
}

export type Uploaded = MediaUploaded['data'] & { position: Position };

/**
 * Stores uploaded bytes in the media store and records their facts (never the bytes) in
 * `media-<id>`. The bytes must be the kind they claim to be, by signature. Refusal:
 * `invalid_media`. The size limit is the HTTP layer's: it stops reading past it.
 */
export async function uploadMedia(store: EventStore, media: MediaStore, upload: Upload, context: CommandContext): Promise<Uploaded> {
  const { kind, contentType } = await judged(upload);
  const stored = await media.put(createReadStream(upload.file));
  const data: MediaUploaded['data'] = {
    mediaId: stored.id,
    owner: upload.owner,
    kind,
    contentType,
    size: stored.size,
    sha256: stored.sha256,
  };
  try {
    const result = await handleCommand(store, mediaStream(stored.id), mediaDecider, data, context);
    return { ...data, position: result.position ?? 0 };
  } catch (error) {
    await media.delete(stored.id);
    throw error;
  }
}

/**
 * The kind and hex SHA-256 an upload would be recorded with, before its bytes are stored: what
 * tells a retried media send. Refusal: `invalid_media`, as uploadMedia.
 */
export async function uploadFacts(upload: Pick<Upload, 'kind' | 'file'>): Promise<{ kind: MediaKind; sha256: string }> {
  const { kind } = await judged(upload);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(upload.file)) hash.update(chunk as Buffer);
  return { kind, sha256: hash.digest('hex') };
}

/** The upload's kind (claimed, or judged from the bytes) and content type, by signature. */
async function judged(upload: Pick<Upload, 'kind' | 'file'>): Promise<{ kind: MediaKind; contentType: string }> {
  const head = await readHead(upload.file);
  const kind = upload.kind ?? guessMediaKind(head);
  const contentType = kind && mediaContentType(kind, head);
  if (!kind || !contentType) throw new CommandRefused(new Refusal('invalid_media'));
  return { kind, contentType };
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SIGNATURE_BYTES), 0, SIGNATURE_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
