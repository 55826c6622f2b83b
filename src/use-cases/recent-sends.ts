import {
  CLIENT_ID_WINDOW_MS,
  mediaWithoutDigest,
  sendContent,
  sendKey,
  type EarlierSends,
  type StoredMessage,
} from '../commands/message.js';
import type { StoredEvent } from '../events/eschat-event.js';
import { EventTypes } from '../events/event-types.js';
import { mediaEventTypes, type MediaUploaded } from '../events/media.js';
import { messageEventTypes, type MessageSent } from '../events/message.js';
import type { Position, RecordedEvent, UserId } from '../events/recorded-event.js';
import type { EventStore } from '../store/ports/event-store.js';

const PAGE = 1000;
/** What the guard remembers: sends, and the digests of uploads a media send refers to. */
const sendEvents = new EventTypes<MessageSent | MediaUploaded>([...messageEventTypes, ...mediaEventTypes]);
/**
 * Messages are stamped before they commit, by processes whose clocks may differ a little, so
 * the log is not in time order to the millisecond: the load reads this much further back than
 * the window before it trusts that nothing older follows.
 */
const CLOCK_SLACK_MS = 60_000;
/** Expired entries are dropped at most this often: a time stamp per event would cost more than they weigh. */
const EXPIRY_EVERY_MS = 1000;

/** The sends under one key (sender, device, client id), by content (sendContent). */
interface KeySends {
  byContent: Map<string, StoredMessage>;
  /** The content of the newest: when another content is newest, the id is reused without a scan. */
  newest: string;
}

interface Waiter {
  position: Position;
  resolve(reached: boolean): void;
  timer: NodeJS.Timeout;
}

/**
 * The messages sent in the last CLIENT_ID_WINDOW_MS that carry a client id, by sender, device
 * and client id, then by content: what answers a retried send, in O(1) and never behind like a
 * read model. Loaded from the end of the log, then kept by the live events in order, from every
 * process that shares the log. A media message's content is the SHA-256 its MediaUploaded
 * recorded (uploaded just before it is sent), so nothing new is recorded for the guard.
 * Entries older than the window are dropped as time passes, so memory follows the send rate
 * over the window, not the log.
 */
export class RecentSends {
  private readonly byKey = new Map<string, KeySends>();
  /** Digests of media uploaded lately and not yet sent, in the order recorded. */
  private readonly digests = new Map<string, { sha256: string; at: string }>();
  /** Keys, contents and messages in the order recorded, roughly the order sent: what expires first is at the front. */
  private readonly expiryKeys: string[] = [];
  private readonly expiryContents: string[] = [];
  private readonly expiryMessages: StoredMessage[] = [];
  private expiryHead = 0;
  private nextExpiry = 0;
  private readonly waiters: Waiter[] = [];

  private constructor(
    /** The position of the last event recorded: what a lookup has seen. */
    public position: Position,
  ) {}

  /**
   * The sends of the window from the log up to `upTo` (inclusive); later ones are recorded as
   * they come. The log is read backwards, every type, until an event older than the window:
   * a read filtered by type would pass over however many other events precede the last sends.
   */
  static async load(store: EventStore, upTo: Position, now = Date.now()): Promise<RecentSends> {
    const recent = new RecentSends(upTo);
    const oldest = new Date(now - CLIENT_ID_WINDOW_MS - CLOCK_SLACK_MS).toISOString();
    const newestFirst: RecordedEvent<MessageSent | MediaUploaded>[] = [];
    let from: Position | undefined;
    for (;;) {
      const page = await store.readAll({ direction: 'backwards', from, maxCount: PAGE });
      for (const event of page) if (sendEvents.has(event)) newestFirst.push(event);
      const last = page.at(-1);
      if (!last || page.length < PAGE || last.metadata.at < oldest) break;
      from = last.position;
    }
    for (let i = newestFirst.length - 1; i >= 0; i--) {
      const event = newestFirst[i]!;
      if (event.position <= upTo && event.metadata.at >= oldest) recent.remember(event);
    }
    return recent;
  }

  /** Every live event, in order: messages are remembered, and the position moves on. */
  record(event: StoredEvent): void {
    if (event.position <= this.position) return;
    this.position = event.position;
    if (sendEvents.has(event)) this.remember(event);
    if (this.waiters.length > 0) this.wake();
  }

  /** The sends `sender` made from `device` with `clientId` within the window, as they compare with `content`. */
  find(sender: UserId, device: string, clientId: string, content: string, now = Date.now()): EarlierSends {
    const sends = this.byKey.get(sendKey(sender, device, clientId));
    if (!sends) return { same: null, others: false };
    const since = now - CLIENT_ID_WINDOW_MS;
    const inWindow = (message: StoredMessage): boolean => Date.parse(message.at) >= since;
    const same = sends.byContent.get(content);
    const newest = sends.byContent.get(sends.newest)!;
    let others = sends.newest !== content && inWindow(newest);
    if (!others && sends.byContent.size > 1) {
      for (const [other, message] of sends.byContent) if (other !== content && inWindow(message)) others = true;
    }
    return { same: same && inWindow(same) ? same : null, others };
  }

  /** Resolves true once `position` is recorded, false after `timeoutMs`. */
  reached(position: Position, timeoutMs: number): Promise<boolean> {
    if (position <= this.position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const giveUp = (): void => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve(false);
      };
      const waiter: Waiter = { position, resolve, timer: setTimeout(giveUp, timeoutMs).unref() };
      this.waiters.push(waiter);
    });
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.byKey.size;
  }

  private remember(event: RecordedEvent<MessageSent | MediaUploaded>): void {
    if (event.type === 'MediaUploaded') {
      const { data, metadata } = event;
      this.digests.set(data.mediaId, { sha256: data.sha256, at: metadata.at });
    } else {
      const { data, metadata } = event;
      if (data.clientId !== null)
        this.add(sendKey(data.sender, data.device, data.clientId), this.contentOf(data), {
          position: event.position,
          at: metadata.at,
          data,
        });
    }
    this.expire(Date.now());
  }

  /** A message's content; its media's digest is taken, as each upload is sent once. */
  private contentOf(data: MessageSent['data']): string {
    if (data.mediaId === null) return sendContent(data.roomId, data.kind, data.text ?? '');
    const digest = this.digests.get(data.mediaId);
    this.digests.delete(data.mediaId);
    return sendContent(data.roomId, data.kind, digest?.sha256 ?? mediaWithoutDigest(data.mediaId));
  }

  private add(key: string, content: string, message: StoredMessage): void {
    const sends = this.byKey.get(key);
    if (sends) {
      sends.byContent.set(content, message);
      sends.newest = content;
    } else this.byKey.set(key, { byContent: new Map([[content, message]]), newest: content });
    this.expiryKeys.push(key);
    this.expiryContents.push(content);
    this.expiryMessages.push(message);
  }

  private expire(now: number): void {
    if (now < this.nextExpiry) return;
    this.nextExpiry = now + EXPIRY_EVERY_MS;
    const oldest = new Date(now - CLIENT_ID_WINDOW_MS).toISOString();
    const { expiryKeys: keys, expiryContents: contents, expiryMessages: messages } = this;
    let head = this.expiryHead;
    for (; head < messages.length && messages[head]!.at < oldest; head++) {
      const sends = this.byKey.get(keys[head]!);
      // A later send with the same key and content (the window had passed for the first) is not this one.
      if (!sends || sends.byContent.get(contents[head]!) !== messages[head]) continue;
      sends.byContent.delete(contents[head]!);
      if (sends.byContent.size === 0) this.byKey.delete(keys[head]!);
    }
    // Spliced once most of the queue is spent: each entry is moved a bounded number of times.
    if (head * 2 > messages.length) {
      keys.splice(0, head);
      contents.splice(0, head);
      messages.splice(0, head);
      head = 0;
    }
    this.expiryHead = head;
    // Uploads never sent (a refused send) are forgotten in the order recorded.
    for (const [mediaId, { at }] of this.digests) {
      if (at >= oldest) break;
      this.digests.delete(mediaId);
    }
  }

  private wake(): void {
    const due = this.waiters.filter((waiter) => waiter.position <= this.position);
    if (due.length === 0) return;
    this.waiters.splice(0, this.waiters.length, ...this.waiters.filter((waiter) => waiter.position > this.position));
    for (const waiter of due) {
      clearTimeout(waiter.timer);
      waiter.resolve(true);
    }
  }
}
