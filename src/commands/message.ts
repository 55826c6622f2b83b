import { messageStream, type MessageSent } from '../events/message.js';
import type { Position, UserId } from '../events/recorded-event.js';
import type { RoomId } from '../events/room.js';
import type { EventStore } from '../store/ports/event-store.js';
import { metadataFor, type CommandContext } from './command-context.js';
import { CommandRefused, Refusal } from './decider.js';
import type { MessageRefusal, SendRefusal } from './refusal-code.js';
import { uncarriable } from './text-rules.js';

/** A send is the MessageSent it will record: room, sender and device, client id, kind, text or media. */
export type SendMessage = MessageSent['data'];

/** A message as stored: its id (the global position of its MessageSent), time and data. */
export interface StoredMessage {
  position: Position;
  at: string;
  data: MessageSent['data'];
}

export interface SentMessage extends StoredMessage {
  /** False when the send was a retry: the message is the original. */
  created: boolean;
}

/**
 * What a send checks outside its own stream, answered by the read side or by the live state
 * of the real-time side (a message stream decides nothing, so the hot path reads no stream):
 * one guard per server.
 */
export interface SendGuard {
  /** The message `sender` sent lately from `device` with `clientId`. */
  earlier(sender: UserId, device: string, clientId: string): Promise<StoredMessage | null>;
  /** Why the sender may not send to the room (`room_not_found`, `not_a_member`), or null. */
  refusal(roomId: RoomId, sender: UserId): Promise<SendRefusal | null>;
  /** Resolves once the guard sees `position`, so that a retry finds it there. */
  settled(position: Position): Promise<unknown>;
}

export const MAX_TEXT_CHARACTERS = 10_000;
export const MAX_CLIENT_ID = 128;

const refused = (code: MessageRefusal): CommandRefused => new CommandRefused(new Refusal(code));

/**
 * How long a client id identifies a message. Retries come within seconds; simple_im clients
 * number their ids afresh (`a_01`, ...) after a restart, so an id must not stick for ever.
 */
export const CLIENT_ID_WINDOW_MS = 10 * 60_000;

/**
 * Where a send is filed for retries: sender, device and client id. The device's length keeps
 * device `a:b` with id `c` apart from device `a` with id `b:c`.
 */
export const sendKey = (sender: UserId, device: string, clientId: string): string => `${sender}:${device.length}:${device}:${clientId}`;

/**
 * Sends in flight, by sendKey, per guard (one per server: test runs start several in one
 * process). A retry that arrives before the guard sees the first send waits for that send
 * instead of appending a second message.
 */
const inFlight = new WeakMap<SendGuard, Map<string, Promise<SentMessage>>>();

/**
 * Appends a MessageSent to the room's day stream and answers the message at once. The hot
 * path reads no stream: membership and earlier sends come from the guard (the read models,
 * or the live state of the real-time side), and the append expects any revision, as nothing
 * in the stream decides. A send retried with the same client id from the same sender and
 * device, within CLIENT_ID_WINDOW_MS, answers the original.
 * Refusals: `invalid_text`, `invalid_media`, `invalid_client_id`, `room_not_found`, `not_a_member`.
 */
export function sendMessage(store: EventStore, guard: SendGuard, send: SendMessage, context: CommandContext): Promise<SentMessage> {
  if (send.clientId === null) return sendOnce(store, guard, send, context);
  let sends = inFlight.get(guard);
  if (!sends) inFlight.set(guard, (sends = new Map()));
  const key = sendKey(send.sender, send.device, send.clientId);
  const earlier = sends.get(key);
  if (earlier) return earlier.then((sent) => ({ ...sent, created: false }));
  const sending = sendOnce(store, guard, send, context);
  sends.set(key, sending);
  const forget = (): void => void sends.delete(key);
  sending.then((sent) => guard.settled(sent.position).then(forget), forget);
  return sending;
}

async function sendOnce(store: EventStore, guard: SendGuard, send: SendMessage, context: CommandContext): Promise<SentMessage> {
  const invalid = invalidSend(send);
  if (invalid) throw refused(invalid);
  if (send.clientId !== null) {
    const earlier = await guard.earlier(send.sender, send.device, send.clientId);
    if (earlier) return { ...earlier, created: false };
  }
  const refusal = await guard.refusal(send.roomId, send.sender);
  if (refusal) throw refused(refusal);
  const now = new Date();
  const { roomId, sender, device, clientId, kind, text, mediaId } = send;
  const data: MessageSent['data'] = { roomId, sender, device, clientId, kind, text, mediaId };
  const metadata = metadataFor(context, now);
  const { position } = await store.append(messageStream(roomId, now), [{ type: 'MessageSent', data, metadata }], {
    expectedRevision: 'any',
  });
  return { position, at: metadata.at, data, created: true };
}

function invalidSend(send: SendMessage): MessageRefusal | null {
  if (send.clientId !== null && (send.clientId.length === 0 || send.clientId.length > MAX_CLIENT_ID)) return 'invalid_client_id';
  if (send.kind === 'text')
    return send.text !== null &&
      send.text.length > 0 &&
      characters(send.text) <= MAX_TEXT_CHARACTERS &&
      !uncarriable(send.text) &&
      send.mediaId === null
      ? null
      : 'invalid_text';
  return send.mediaId !== null && send.text === null ? null : 'invalid_media';
}

/** Characters as people count them (code points), counted only when UTF-16 units could exceed the limit. */
function characters(text: string): number {
  return text.length <= MAX_TEXT_CHARACTERS ? text.length : [...text].length;
}
