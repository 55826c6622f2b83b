import { CLIENT_ID_WINDOW_MS, sendKey, type StoredMessage } from '../commands/message.js';
import type { StoredEvent } from '../events/eschat-event.js';
import { EventTypes } from '../events/event-types.js';
import { messageEventTypes, type MessageSent } from '../events/message.js';
import type { Position, RecordedEvent, UserId } from '../events/recorded-event.js';
import type { EventStore } from '../store/ports/event-store.js';

const PAGE = 1000;
const messagesSent = new EventTypes<MessageSent>(messageEventTypes);
/**
 * Messages are stamped before they commit, by processes whose clocks may differ a little, so
 * the log is not in time order to the millisecond: the load reads this much further back than
 * the window before it trusts that nothing older follows.
 */
const CLOCK_SLACK_MS = 60_000;
/** Expired entries are dropped at most this often: a time stamp per event would cost more than they weigh. */
const EXPIRY_EVERY_MS = 1000;

interface Waiter {
  position: Position;
  resolve(reached: boolean): void;
  timer: NodeJS.Timeout;
}

/**
 * The messages sent in the last CLIENT_ID_WINDOW_MS that carry a client id, by sender, device
 * and client id: what answers a retried send, in O(1) and never behind like a read model.
 * Loaded from the end of the log, then kept by the live events in order, from every process
 * that shares the log. Entries older than the window are dropped as time passes, so memory
 * follows the send rate over the window, not the log.
 */
export class RecentSends {
  private readonly byKey = new Map<string, StoredMessage>();
  /** Keys and their messages in the order recorded, roughly the order sent: what expires first is at the front. */
  private readonly expiryKeys: string[] = [];
  private readonly expiryMessages: StoredMessage[] = [];
  private expiryHead = 0;
  private nextExpiry = 0;
  private readonly waiters: Waiter[] = [];

  private constructor(
    /** The position of the last event recorded: what a lookup has seen. */
    public position: Position,
  ) {}

  /** The sends of the window from the log up to `upTo` (inclusive); later ones are recorded as they come. */
  static async load(store: EventStore, upTo: Position, now = Date.now()): Promise<RecentSends> {
    const recent = new RecentSends(upTo);
    const oldest = new Date(now - CLIENT_ID_WINDOW_MS - CLOCK_SLACK_MS).toISOString();
    const newestFirst: RecordedEvent<MessageSent>[] = [];
    let from: Position | undefined;
    for (;;) {
      const page = await store.readAll({ direction: 'backwards', from, maxCount: PAGE, filter: { eventTypes: ['MessageSent'] } });
      for (const event of page) if (messagesSent.has(event)) newestFirst.push(event);
      const last = page.at(-1);
      if (!last || page.length < PAGE || last.metadata.at < oldest) break;
      from = last.position;
    }
    for (let i = newestFirst.length - 1; i >= 0; i--) {
      const event = newestFirst[i]!;
      if (event.position <= upTo) recent.remember(event);
    }
    return recent;
  }

  /** Every live event, in order: messages are remembered, and the position moves on. */
  record(event: StoredEvent): void {
    if (event.position <= this.position) return;
    this.position = event.position;
    if (messagesSent.has(event)) this.remember(event);
    if (this.waiters.length > 0) this.wake();
  }

  /** The message `sender` sent from `device` with `clientId` within the window, if any. */
  find(sender: UserId, device: string, clientId: string, now = Date.now()): StoredMessage | null {
    const message = this.byKey.get(sendKey(sender, device, clientId));
    if (!message || Date.parse(message.at) < now - CLIENT_ID_WINDOW_MS) return null;
    return message;
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

  /** How many sends are remembered. */
  get size(): number {
    return this.byKey.size;
  }

  private remember(event: RecordedEvent<MessageSent>): void {
    const { data, metadata } = event;
    if (data.clientId !== null) {
      const key = sendKey(data.sender, data.device, data.clientId);
      const message: StoredMessage = { position: event.position, at: metadata.at, data };
      this.byKey.set(key, message);
      this.expiryKeys.push(key);
      this.expiryMessages.push(message);
    }
    this.expire(Date.now());
  }

  private expire(now: number): void {
    if (now < this.nextExpiry) return;
    this.nextExpiry = now + EXPIRY_EVERY_MS;
    const oldest = new Date(now - CLIENT_ID_WINDOW_MS).toISOString();
    const keys = this.expiryKeys;
    const messages = this.expiryMessages;
    let head = this.expiryHead;
    for (; head < messages.length && messages[head]!.at < oldest; head++) {
      // A later send with the same key (the window had passed for the first) is not this one.
      if (this.byKey.get(keys[head]!) === messages[head]) this.byKey.delete(keys[head]!);
    }
    // Spliced once most of the queue is spent: each entry is moved a bounded number of times.
    if (head * 2 > messages.length) {
      keys.splice(0, head);
      messages.splice(0, head);
      head = 0;
    }
    this.expiryHead = head;
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
