import type { CommandContext } from '../commands/command-context.js';
import { handleCommand } from '../commands/command-handler.js';
import { userDecider } from '../commands/user.js';
import { EventTypes } from '../events/event-types.js';
import type { MediaUploaded } from '../events/media.js';
import type { Position, UserId } from '../events/recorded-event.js';
import { userStream } from '../events/user.js';
import type { PersonKeys } from '../store/crypto/person-keys.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { MediaStore } from '../store/ports/media-store.js';

export interface ErasureDeps {
  store: EventStore;
  keys: PersonKeys;
  media: MediaStore;
}

export interface Erasure {
  /** The position of the UserErased recorded now; null when the person had been erased already. */
  position: Position | null;
  /** How many of their uploaded files' bytes were deleted. */
  mediaDeleted: number;
}

const uploads = new EventTypes<MediaUploaded>(['MediaUploaded']);

/**
 * Erases a person (crypto-shredding; README, "Erasure"): records UserErased (refused with
 * `user_not_found` for an id nobody registered), deletes their key, so every value of theirs
 * sealed in the log reads as erased from now on, everywhere the log is, and deletes the bytes
 * of every file they uploaded. The read models and the real-time side follow the UserErased:
 * names and texts become placeholders, sessions end, sockets close. Idempotent: erasing again
 * records nothing and repeats the deletions, so an erasure interrupted halfway is finished by
 * running it again. The event is recorded before the key goes: a crash in between leaves an
 * erasure the audit shows and a second run completes, never a silent one.
 */
export async function eraseUser(deps: ErasureDeps, userId: UserId, by: UserId | null, context: CommandContext): Promise<Erasure> {
  const result = await handleCommand(deps.store, userStream(userId), userDecider, { kind: 'erase', userId, by }, context);
  await deps.keys.erase(userId);
  let mediaDeleted = 0;
  // From the log, not a read model: the CLI erases without a server, and the media facts stay in clear.
  for (const event of await deps.store.readAll({ filter: { eventTypes: ['MediaUploaded'] } })) {
    if (!uploads.has(event) || event.data.owner !== userId) continue;
    await deps.media.delete(event.data.mediaId);
    mediaDeleted++;
  }
  return { position: result.position, mediaDeleted };
}
