import { messageStream, type MessageKind, type MessageSent } from '../events/message.js';
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
 * What a client id names among the sends of its sender and device lately: a send of the same
 * content (the same room, kind and text or bytes), which a retry answers with, and whether the
 * id names sends of other content too.
 */
export interface EarlierSends {
  same: StoredMessage | null;
  others: boolean;
}

/**
 * What a send checks outside its own stream, answered by the read side or by the live state
 * of the real-time side (a message stream decides nothing, so the hot path reads no stream):
 * one guard per server.
 */
export interface SendGuard {
  /** The sends `sender` made lately from `device` with `clientId`, as they compare with `content` (sendContent). */
  earlier(sender: UserId, device: string, clientId: string, content: string): Promise<EarlierSends>;
  /** Why the sender may not send to the room (`room_not_found`, `not_a_member`), or null. */
  refusal(roomId: RoomId, sender: UserId): Promise<SendRefusal | null>;
  /** Resolves once the guard sees `position`, so that a retry finds it there. */
  settled(position: Position): Promise<unknown>;
}

/**
 * What a client id used lately for other content means. simple_im clients reuse ids (every
 * group message is `a_03`, 1:1 ones `msg_id_<second>`): there it is a new message. v1's
 * `client_id` is an idempotency key: there it is refused, `client_id_reused`.
 */
export type ReusedClientId = 'new_message' | 'refused';

export interface SendRules {
  reusedClientId: ReusedClientId;
  /** The hex SHA-256 of a media message's bytes: its content, as a retry is judged. */
  mediaSha256?: string;
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
 * What a send under one key must match to be a retry: the room (a 1:1 message's `to` names
 * its direct room), the kind, and the text, or for media the SHA-256 of the bytes (each
 * upload gets a new media id, so the id cannot tell a retry).
 */
export const sendContent = (roomId: RoomId, kind: MessageKind, textOrSha256: string): string => `${roomId}:${kind}:${textOrSha256}`;

/** Sends in flight under one key, by content. */
type InFlight = Map<string, Promise<SentMessage>>;

/**
 * Sends in flight, by sendKey and content, per guard (one per server: test runs start several
 * in one process). A retry that arrives before the guard sees the first send waits for that
 * send instead of appending a second message.
 */
const inFlight = new WeakMap<SendGuard, Map<string, InFlight>>();

/**
 * Appends a MessageSent to the room's day stream and answers the message at once. The hot
 * path reads no stream: membership and earlier sends come from the guard (the read models,
 * or the live state of the real-time side), and the append expects any revision, as nothing
 * in the stream decides. A send is a retry, answered with the original, when the same sender
 * and device sent the same client id with the same content (sendContent) within
 * CLIENT_ID_WINDOW_MS; the id used for other content is as `rules.reusedClientId` says.
 * Refusals: `invalid_text`, `invalid_media`, `invalid_client_id`, `client_id_reused`, `room_not_found`, `not_a_member`.
 */
export function sendMessage(
  store: EventStore,
  guard: SendGuard,
  send: SendMessage,
  context: CommandContext,
  rules: SendRules,
): Promise<SentMessage> {
  const invalid = invalidSend(send);
  if (invalid) return Promise.reject(refused(invalid));
  if (send.clientId === null) return sendOnce(store, guard, send, context, rules, '');
  let sends = inFlight.get(guard);
  if (!sends) inFlight.set(guard, (sends = new Map()));
  const key = sendKey(send.sender, send.device, send.clientId);
  const content = contentOf(send, rules);
  let underKey = sends.get(key);
  const earlier = underKey?.get(content);
  if (earlier) return earlier.then((sent) => ({ ...sent, created: false }));
  if (underKey && rules.reusedClientId === 'refused') return Promise.reject(refused('client_id_reused'));
  if (!underKey) sends.set(key, (underKey = new Map()));
  const sending = sendOnce(store, guard, send, context, rules, content);
  underKey.set(content, sending);
  const keyed = underKey;
  const forget = (): void => {
    keyed.delete(content);
    if (keyed.size === 0 && sends.get(key) === keyed) sends.delete(key);
  };
  sending.then((sent) => guard.settled(sent.position).then(forget), forget);
  return sending;
}

async function sendOnce(
  store: EventStore,
  guard: SendGuard,
  send: SendMessage,
  context: CommandContext,
  rules: SendRules,
  content: string,
): Promise<SentMessage> {
  if (send.clientId !== null) {
    const earlier = await guard.earlier(send.sender, send.device, send.clientId, content);
    if (earlier.same) return { ...earlier.same, created: false };
    if (earlier.others && rules.reusedClientId === 'refused') throw refused('client_id_reused');
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

/** A valid send's content: its text, or its media's digest (its id when the digest is not known: no retry matches it). */
const contentOf = (send: SendMessage, rules: SendRules): string =>
  sendContent(send.roomId, send.kind, send.text ?? rules.mediaSha256 ?? mediaWithoutDigest(send.mediaId ?? ''));

/** The content of media whose digest is not known: never a hex SHA-256, so it matches no other upload. */
export const mediaWithoutDigest = (mediaId: string): string => `media:${mediaId}`;

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
