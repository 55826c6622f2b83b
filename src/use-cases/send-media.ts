import type { CommandContext } from '../commands/command-context.js';
import { uploadFacts, uploadMedia } from '../commands/media.js';
import type { MediaKind } from '../commands/media-signature.js';
import { CommandRefused, Refusal } from '../commands/decider.js';
import { sendContent, sendMessage, type ReusedClientId, type StoredMessage } from '../commands/message.js';
import type { RoomId } from '../events/room.js';
import { messageDocument } from '../projections/messages.js';
import type { MessageDocument } from '../queries/messages.js';
import type { Caller } from '../queries/sessions.js';
import type { UseCaseDeps } from './use-case-deps.js';

export interface MediaSend {
  roomId: RoomId;
  /** Null: judged from the bytes. */
  kind: MediaKind | null;
  /** Where the multipart parser left the bytes. */
  file: string;
  clientId: string | null;
  /** What the client id used lately for other content means in the dialect (sendMessage). */
  reusedClientId: ReusedClientId;
}

/**
 * Both dialects' media send: checks the sender may send there (and that this is no retry:
 * the same client id, room, kind and bytes) before storing any bytes, uploads, sends, and
 * answers once history shows the message. Bytes no message refers to in the end (a refused
 * send, a concurrent retry that won) are deleted. Refusals: those of the send guard,
 * uploadMedia and sendMessage.
 */
export async function sendMedia(
  deps: Pick<UseCaseDeps, 'store' | 'read' | 'media' | 'sendGuard'>,
  caller: Caller,
  send: MediaSend,
  context: CommandContext,
): Promise<MessageDocument> {
  const refusal = await deps.sendGuard.refusal(send.roomId, caller.userId);
  if (refusal) throw new CommandRefused(new Refusal(refusal));
  if (send.clientId !== null) {
    const { kind, sha256 } = await uploadFacts(send);
    const content = sendContent(send.roomId, kind, sha256);
    const earlier = await deps.sendGuard.earlier(caller.userId, caller.device, send.clientId, content);
    if (earlier.same) return answered(deps, earlier.same);
    if (earlier.others && send.reusedClientId === 'refused') throw new CommandRefused(new Refusal('client_id_reused'));
  }
  const media = await uploadMedia(deps.store, deps.media, { owner: caller.userId, kind: send.kind, file: send.file }, context);
  const message = {
    roomId: send.roomId,
    sender: caller.userId,
    device: caller.device,
    clientId: send.clientId,
    kind: media.kind,
    text: null,
    mediaId: media.mediaId,
  };
  const rules = { reusedClientId: send.reusedClientId, mediaSha256: media.sha256 };
  const sent = await sendMessage(deps.store, deps.sendGuard, message, context, rules).catch(async (error: unknown) => {
    await deps.media.delete(media.mediaId);
    throw error;
  });
  if (!sent.created) await deps.media.delete(media.mediaId);
  return answered(deps, sent);
}

/** The message as history shows it, once it does. */
async function answered(deps: Pick<UseCaseDeps, 'store' | 'read' | 'media' | 'sendGuard'>, sent: StoredMessage): Promise<MessageDocument> {
  await deps.read.waitFor(sent.position);
  return messageDocument(sent.position, sent.data, sent.at);
}
