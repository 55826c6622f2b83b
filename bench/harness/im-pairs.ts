import type { TomlFrame } from '../../src/codecs/toml-frame.js';
import { mapBounded } from './bounded-pool.js';
import { BenchFailure } from './bench-result.js';
import { ImSocket } from './im-socket.js';
import type { ImTarget } from './im-target.js';
import { MessageLedger } from './message-ledger.js';
import { waitUntil } from './wait-until.js';

/** A sender and its recipient, each its own user on its own connection. */
export interface ImPair {
  sender: ImSocket;
  recipient: ImSocket;
  ledger: MessageLedger;
}

/** What a benchmark does as frames arrive: the pairs check them, the benchmark measures. */
export interface PairHooks {
  /** The recipient got a message, `ms` after it was sent. */
  delivered?(pair: ImPair, ms: number): void;
  /** The sender got its `[[a]]`, `ms` after sending. */
  acknowledged?(pair: ImPair, ms: number): void;
}

const CONNECT_CONCURRENCY = 50;
const DEVICE = 'bench';

/**
 * Connects and logs in the target's users two by two (sender, recipient) and checks every frame
 * they receive against the pair's ledger. Anything unexpected — a refusal, a frame of another
 * pair, a duplicate — lands in `errors`.
 */
export async function connectPairs(target: ImTarget, errors: string[], hooks: PairHooks): Promise<ImPair[]> {
  const sockets = await mapBounded(target.users, CONNECT_CONCURRENCY, async (user) => {
    const socket = await ImSocket.open(target.imUrl);
    await socket.login(user.id, user.token, DEVICE);
    return socket;
  });
  const pairs: ImPair[] = [];
  for (let i = 0; i + 1 < sockets.length; i += 2) {
    const [senderUser, recipientUser] = [target.users[i]!, target.users[i + 1]!];
    const pair: ImPair = { sender: sockets[i]!, recipient: sockets[i + 1]!, ledger: new MessageLedger(senderUser.id, recipientUser.id, errors) };
    pair.recipient.onFrame = (frame) => onRecipientFrame(pair, frame, errors, hooks);
    pair.sender.onFrame = (frame) => onSenderFrame(pair, frame, errors, hooks);
    pairs.push(pair);
  }
  return pairs;
}

function onRecipientFrame(pair: ImPair, frame: TomlFrame, errors: string[], hooks: PairHooks): void {
  if (frame.type === 'm' && frame.fields['from'] === pair.ledger.sender) {
    const ms = pair.ledger.delivered(frame, pair.ledger.recipient, performance.now());
    pair.recipient.ack(frame);
    if (ms !== null) hooks.delivered?.(pair, ms);
  } else if (frame.type === 'n') {
    pair.recipient.ack(frame);
  } else {
    errors.push(`recipient ${pair.ledger.recipient} got an unexpected frame: ${frame.type} ${JSON.stringify(frame.fields)}`);
  }
}

function onSenderFrame(pair: ImPair, frame: TomlFrame, errors: string[], hooks: PairHooks): void {
  if (frame.type === 'a') {
    const ms = pair.ledger.acknowledged(frame, performance.now());
    if (ms !== null) hooks.acknowledged?.(pair, ms);
  } else if (frame.type === 'n') {
    pair.sender.ack(frame);
  } else {
    errors.push(`sender ${pair.ledger.sender} got an unexpected frame: ${frame.type} ${JSON.stringify(frame.fields)}`);
  }
}

/** Sends the pair's next message. */
export function sendNext(pair: ImPair): void {
  const { id, text } = pair.ledger.send(performance.now());
  pair.sender.send('m', { id, c: text, to: pair.ledger.recipient });
}

/**
 * Waits until every message sent was delivered and acknowledged, then fails the benchmark if
 * any was not, or if anything went wrong on the way.
 */
export async function settle(pairs: readonly ImPair[], errors: readonly string[], timeoutMs: number, what: string): Promise<void> {
  await waitUntil(() => errors.length > 0 || pairs.every((pair) => pair.ledger.undelivered === 0 && pair.ledger.unacknowledged === 0), timeoutMs);
  const undelivered = pairs.reduce((sum, pair) => sum + pair.ledger.undelivered, 0);
  const unacknowledged = pairs.reduce((sum, pair) => sum + pair.ledger.unacknowledged, 0);
  if (errors.length > 0 || undelivered > 0 || unacknowledged > 0) {
    const sample = errors.slice(0, 5).join('; ');
    throw new BenchFailure(`${what}: ${undelivered} undelivered, ${unacknowledged} unacknowledged after ${timeoutMs} ms, ${errors.length} errors${sample ? `: ${sample}` : ''}`);
  }
}

/**
 * One message per pair, delivered and acknowledged, before measuring: eschat creates a pair's
 * direct room on its first message, a one-off cost that is not the steady state measured.
 */
export async function warmUp(pairs: readonly ImPair[], errors: readonly string[], what: string): Promise<void> {
  for (const pair of pairs) sendNext(pair);
  await settle(pairs, errors, 60_000, `${what} warm-up`);
}

export function closePairs(pairs: readonly ImPair[]): void {
  for (const pair of pairs) {
    pair.sender.close();
    pair.recipient.close();
  }
}
