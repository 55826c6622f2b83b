import { directRoom } from '../commands/room.js';
import type { CommandContext } from '../commands/command-context.js';
import type { UserId } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';
import { findDirectRoom } from '../queries/rooms.js';
import type { UseCaseDeps } from './use-case-deps.js';

/**
 * The direct room of two users: from the read model when it shows it (no stream read), else
 * found or created in the log, and readable by the time it is answered.
 * Refusals: `invalid_recipient`, `user_not_found`.
 */
export async function openDirectRoom(
  deps: Pick<UseCaseDeps, 'store' | 'read' | 'roomIds'>,
  a: UserId,
  b: UserId,
  context: CommandContext,
): Promise<RoomId> {
  const known = await findDirectRoom(deps.read, a, b);
  if (known) return known._id;
  const { roomId, position } = await directRoom(deps.store, deps.roomIds, a, b, context);
  await deps.read.waitFor(position);
  return roomId;
}
