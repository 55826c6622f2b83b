import { messageStream, type MessageSent } from '../events/message.js';
import type { UserId } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';
import { messageCollection, messageDocument, type MessageDocument } from '../projections/messages.js';
import type { ReadModels } from '../projections/read-models.js';
import { roomCollection } from '../projections/rooms.js';
import type { EventStore } from '../store/event-store.js';
import { metadataFor, type CommandContext } from './command-context.js';
import { CommandRefused, Refusal } from './decider.js';
import { uncarriable } from './text-rules.js';

/** A send is the MessageSent it will record: room, sender and device, client id, kind, text or media. */
export type SendMessage = MessageSent['data'];

export interface SentMessage {
  /** `_id` is the message id: the global position of its MessageSent. */
  message: MessageDocument;
  /** False when the send was a retry: `message` is the original. */
  created: boolean;
}

export const MAX_TEXT_CHARACTERS = 10_000;
export const MAX_CLIENT_ID = 128;

/** How long a send stays in the in-flight map at most, waiting for the read model to show it. */
const SETTLE_MS = 60_000;

const refused = (code: string): CommandRefused => new CommandRefused(new Refusal(code));

/**
 * How long a client id identifies a message. Retries come within seconds; simple_im clients
 * number their ids afresh (`a_01`, ...) after a restart, so an id must not stick for ever.
 */
export const CLIENT_ID_WINDOW_MS = 10 * 60_000;

/**
 * Sends in flight, by `<sender>:<device>:<clientId>`, per read side (one per server: test runs start
 * several in one process). A retry that arrives before the read model shows the first send
 * waits for that send instead of appending a second message.
 */
const inFlight = new WeakMap<ReadModels, Map<string, Promise<SentMessage>>>();

/**
 * Appends a MessageSent to the room's day stream and answers the message at once. The hot
 * path reads no stream: membership and earlier sends come from the read models (this is why
 * a command reads them), and the append expects any revision, as nothing in the stream
 * decides. A send retried with the same client id from the same sender and device, within
 * CLIENT_ID_WINDOW_MS, answers the original.
 * Refusals: `invalid_text`, `invalid_media`, `invalid_client_id`, `room_not_found`, `not_a_member`.
 */
export function sendMessage(store: EventStore, read: ReadModels, send: SendMessage, context: CommandContext): Promise<SentMessage> {
  if (send.clientId === null) return sendOnce(store, read, send, context);
  let sends = inFlight.get(read);
  if (!sends) inFlight.set(read, (sends = new Map()));
  const key = `${send.sender}:${send.device}:${send.clientId}`;
  const earlier = sends.get(key);
  if (earlier) return earlier.then(({ message }) => ({ message, created: false }));
  const sending = sendOnce(store, read, send, context);
  sends.set(key, sending);
  const forget = (): void => void sends.delete(key);
  sending.then(({ message }) => read.waitFor(message._id, SETTLE_MS).then(forget), forget);
  return sending;
}

async function sendOnce(store: EventStore, read: ReadModels, send: SendMessage, context: CommandContext): Promise<SentMessage> {
  const invalid = invalidSend(send);
  if (invalid) throw refused(invalid);
  if (send.clientId !== null) {
    const earlier = await findSent(read, send.sender, send.device, send.clientId);
    if (earlier) return { message: earlier, created: false };
  }
  await checkSender(read, send.roomId, send.sender);
  const now = new Date();
  const { roomId, sender, device, clientId, kind, text, mediaId } = send;
  const data: MessageSent['data'] = { roomId, sender, device, clientId, kind, text, mediaId };
  const metadata = metadataFor(context, now);
  const { position } = await store.append(messageStream(roomId, now), [{ type: 'MessageSent', data, metadata }], { expectedRevision: 'any' });
  return { message: messageDocument(position, data, metadata.at), created: true };
}

/** The message `sender` sent from `device` with `clientId` lately, if the read model has it. */
export function findSent(read: ReadModels, sender: UserId, device: string, clientId: string, now = Date.now()): Promise<MessageDocument | null> {
  const since = new Date(now - CLIENT_ID_WINDOW_MS).toISOString();
  return messageCollection(read).findOne({ sender, clientId, device, at: { $gte: since } }, { sort: { _id: -1 } });
}

/** Throws the refusal a send to `roomId` by `sender` would get: `room_not_found`, `not_a_member`. */
export async function checkSender(read: ReadModels, roomId: RoomId, sender: UserId): Promise<void> {
  const rooms = roomCollection(read);
  // The common case, a member, fetches the id only, not the member list.
  if (await rooms.findOne({ _id: roomId, members: sender, deleted: false }, { projection: { _id: 1 } })) return;
  const room = await rooms.findOne({ _id: roomId, deleted: false }, { projection: { _id: 1 } });
  throw refused(room ? 'not_a_member' : 'room_not_found');
}

function invalidSend(send: SendMessage): string | null {
  if (send.clientId !== null && (send.clientId.length === 0 || send.clientId.length > MAX_CLIENT_ID)) return 'invalid_client_id';
  if (send.kind === 'text') return send.text !== null && send.text.length > 0 && characters(send.text) <= MAX_TEXT_CHARACTERS && !uncarriable(send.text) && send.mediaId === null ? null : 'invalid_text';
  return send.mediaId !== null && send.text === null ? null : 'invalid_media';
}

/** Characters as people count them (code points), counted only when UTF-16 units could exceed the limit. */
function characters(text: string): number {
  return text.length <= MAX_TEXT_CHARACTERS ? text.length : [...text].length;
}
