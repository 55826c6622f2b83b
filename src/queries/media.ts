import type { UserId } from '../events/recorded-event.js';
import { mediaCollection, type MediaDocument } from '../projections/media.js';
import type { ReadModels } from '../projections/read-models.js';
import { roomCollection } from '../projections/rooms.js';

export type { MediaDocument };

/**
 * The media, if `userId` may see it: it was sent to a room `userId` is in now. Whoever leaves
 * or is removed from the room loses access at once, as to the room's history.
 */
export async function findVisibleMedia(read: ReadModels, mediaId: string, userId: UserId): Promise<MediaDocument | null> {
  const media = await mediaCollection(read).findOne({ _id: mediaId });
  // A message may name media that was never uploaded (an id a client made up): nothing to serve.
  if (!media || typeof media.contentType !== 'string' || media.rooms.length === 0) return null;
  const room = await roomCollection(read).findOne(
    { _id: { $in: media.rooms }, members: userId, deleted: false },
    { projection: { _id: 1 } },
  );
  return room ? media : null;
}
