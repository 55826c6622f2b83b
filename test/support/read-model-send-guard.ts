import {
  CLIENT_ID_WINDOW_MS,
  mediaWithoutDigest,
  sendContent,
  type EarlierSends,
  type SendGuard,
  type StoredMessage,
} from '../../src/commands/message.js';
import type { SendRefusal } from '../../src/commands/refusal-code.js';
import type { Position, UserId } from '../../src/events/recorded-event.js';
import type { RoomId } from '../../src/events/room.js';
import { mediaCollection } from '../../src/projections/media.js';
import { messageCollection, type MessageDocument } from '../../src/projections/messages.js';
import type { ReadModels } from '../../src/projections/read-models.js';
import { roomCollection } from '../../src/projections/rooms.js';

/** How long a send stays in the in-flight map at most, waiting for the read model to show it. */
const SETTLE_MS = 60_000;

const guards = new WeakMap<ReadModels, SendGuard>();

/**
 * The checks of a send answered from the read models: the command tests use it to drive
 * sendMessage without a server (the server answers them from RecentSends and the routing state).
 */
export function sendGuard(read: ReadModels): SendGuard {
  let guard = guards.get(read);
  if (!guard) {
    guard = {
      earlier: (sender, device, clientId, content) => earlierSends(read, sender, device, clientId, content),
      refusal: (roomId, sender) => senderRefusal(read, roomId, sender),
      settled: (position) => read.waitFor(position, SETTLE_MS),
    };
    guards.set(read, guard);
  }
  return guard;
}

/** The messages `sender` sent from `device` with `clientId` lately, as the read model has them, as they compare with `content`. */
export async function earlierSends(
  read: ReadModels,
  sender: UserId,
  device: string,
  clientId: string,
  content: string,
  now = Date.now(),
): Promise<EarlierSends> {
  const since = new Date(now - CLIENT_ID_WINDOW_MS).toISOString();
  const sent = await messageCollection(read).find({ sender, clientId, device, at: { $gte: since } }, { sort: { _id: -1 } });
  let same: StoredMessage | null = null;
  let others = false;
  for (const document of sent) {
    if ((await contentOf(read, document)) === content) same ??= storedMessage(document);
    else others = true;
  }
  return { same, others };
}

/** A stored message's content as sendContent puts it: its text, or its media's digest. */
async function contentOf(read: ReadModels, document: MessageDocument): Promise<string> {
  if (document.mediaId === null) return sendContent(document.room, document.kind, document.text ?? '');
  const media = await mediaCollection(read).findOne({ _id: document.mediaId });
  return sendContent(document.room, document.kind, media?.sha256 ?? mediaWithoutDigest(document.mediaId));
}

/** The refusal a send to `roomId` by `sender` would get: `room_not_found`, `not_a_member`, or null. */
export async function senderRefusal(read: ReadModels, roomId: RoomId, sender: UserId): Promise<SendRefusal | null> {
  const rooms = roomCollection(read);
  // The common case, a member, fetches the id only, not the member list.
  if (await rooms.findOne({ _id: roomId, members: sender, deleted: false }, { projection: { _id: 1 } })) return null;
  const room = await rooms.findOne({ _id: roomId, deleted: false }, { projection: { _id: 1 } });
  return room ? 'not_a_member' : 'room_not_found';
}

function storedMessage(document: MessageDocument): StoredMessage {
  const { _id: position, at, room: roomId, sender, device, clientId, kind, text, mediaId } = document;
  return { position: position as Position, at, data: { roomId, sender, device, clientId, kind, text, mediaId } };
}
