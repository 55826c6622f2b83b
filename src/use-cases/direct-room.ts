import { directRoom } from '../commands/room.js';
import type { CommandContext } from '../commands/command-context.js';
import type { UserId } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';
import { findDirectRoom } from '../queries/rooms.js';
import type { UseCaseDeps } from './use-case-deps.js';

/**
 * Where a pair's direct room is looked up before the log: by default the read model; the
 * real-time side passes its routing state, which follows the live feed and needs no query.
 */
export type KnownDirectRoom = (a: UserId, b: UserId) => Promise<RoomId | undefined> | RoomId | undefined;

/**
 * The direct room of two users: from `known` when it shows it (no stream read), else found or
 * created in the log, and readable by the time it is answered.
 * Refusals: `invalid_recipient`, `user_not_found`.
 */
export async function openDirectRoom(
  deps: Pick<UseCaseDeps, 'store' | 'read' | 'roomIds'>,
  a: UserId,
  b: UserId,
  context: CommandContext,
  known: KnownDirectRoom = async (a, b) => (await findDirectRoom(deps.read, a, b))?._id,
): Promise<RoomId> {
  const roomId = await known(a, b);
  if (roomId !== undefined) return roomId;
  const created = await directRoom(deps.store, deps.roomIds, a, b, context);
  await deps.read.waitFor(created.position);
  return created.roomId;
}
