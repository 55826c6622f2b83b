import type { MediaUploaded } from '../events/media.js';
import type { MessageSent } from '../events/message.js';
import type { RecordedEvent, UserId } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';
import type { UserErased } from '../events/user.js';
import type { Projection, ReadOperation } from './projection.js';
import type { ReadModels } from './read-models.js';

/** An uploaded file, and the rooms it was sent to: who may download it follows from them. */
export interface MediaDocument {
  _id: string;
  owner: UserId;
  kind: MediaUploaded['data']['kind'];
  contentType: string;
  size: number;
  sha256: string;
  uploadedAt: string;
  rooms: RoomId[];
  [key: string]: unknown;
}

export const MEDIA = 'media';

export function mediaCollection(read: ReadModels) {
  return read.collection<MediaDocument>('media', MEDIA);
}

export const mediaProjection: Projection<MediaUploaded | MessageSent | UserErased> = {
  name: 'media',
  version: 1,
  eventTypes: ['MediaUploaded', 'MessageSent', 'UserErased'],
  collections: [{ name: MEDIA }],
  project(event: RecordedEvent<MediaUploaded | MessageSent | UserErased>): ReadOperation[] {
    // Their files' bytes are deleted by the erasure (use-cases/erase-user.ts); their facts go here.
    if (event.type === 'UserErased') return [{ collection: MEDIA, operation: { deleteMany: { filter: { owner: event.data.userId } } } }];
    if (event.type === 'MessageSent') {
      const { mediaId, roomId } = event.data;
      if (mediaId === null) return [];
      return [
        {
          collection: MEDIA,
          operation: { updateOne: { filter: { _id: mediaId }, update: { $addToSet: { rooms: roomId } }, upsert: true } },
        },
      ];
    }
    const { mediaId, owner, kind, contentType, size, sha256 } = event.data;
    const details = { owner, kind, contentType, size, sha256, uploadedAt: event.metadata.at };
    return [
      {
        collection: MEDIA,
        operation: { updateOne: { filter: { _id: mediaId }, update: { $set: details, $setOnInsert: { rooms: [] } }, upsert: true } },
      },
    ];
  },
};
