import type { Observable, Subscription } from 'rxjs';
import { EventTypes } from '../events/event-types.js';
import { messageChangeEventTypes, messageEventTypes, type MessageChange, type MessageSent } from '../events/message.js';
import type { Position, RecordedEvent } from '../events/recorded-event.js';
import type { UserErased } from '../events/user.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { SearchIndex, SearchWrite } from '../store/ports/search-index.js';

type Indexed = MessageSent | MessageChange | UserErased;
const indexedTypes = [...messageEventTypes, ...messageChangeEventTypes, 'UserErased' as const];
const indexed = new EventTypes<Indexed>(indexedTypes);
const PAGE = 1000;
/**
 * How long the feed's message events gather before they are committed together (sooner when
 * `GATHER_MAX` wait, or a search asks): FTS5 writes each transaction's terms as a segment of
 * its own and merges segments later, so an event per transaction costs ~10x an event in a
 * transaction of hundreds (measured: 60 µs against 6 µs of CPU).
 */
const GATHER_MS = 25;
const GATHER_MAX = 1000;

/** What an event does to the search index: a text message in, an edit's new text, a deletion out, an erased person's messages out. */
export function searchWrite(event: RecordedEvent<Indexed>): SearchWrite | null {
  switch (event.type) {
    case 'MessageSent': {
      const { roomId, sender, kind, text } = event.data;
      if (kind !== 'text' || text === null) return null;
      return { upsert: { id: event.position, room: roomId, sender, at: event.metadata.at, text } };
    }
    case 'MessageEdited':
      return { edit: { id: event.data.messageId, text: event.data.text } };
    case 'MessageDeleted':
      return { delete: { id: event.data.messageId } };
    case 'UserErased':
      return { eraseSender: { sender: event.data.userId } };
  }
}

/**
 * Keeps a search index up to date with the log, as a projection with its own checkpoint (in the
 * index): at start it catches up from that checkpoint, then applies the live feed's message
 * events, in batches committed with the checkpoint's move (SearchIndex.commit), gathered for
 * up to GATHER_MS (a search first commits what waits: `settled`). When another
 * process sharing the index moved the checkpoint first, the batch is applied again from there,
 * without what that process already applied: nothing older is ever written over newer.
 */
export class SearchIndexer {
  private applied = 0;
  private readonly queue: Array<RecordedEvent<Indexed>> = [];
  private draining: Promise<void> | null = null;
  private subscription: Subscription | null = null;
  private failed: unknown = null;
  /** False while catching up: the feed's events wait in the queue. */
  private started = false;
  /** The commit of the events gathering in the queue, due at the end of GATHER_MS. */
  private gathering: NodeJS.Timeout | null = null;
  constructor(
    private readonly store: EventStore,
    private readonly index: SearchIndex,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Follows `events` (the live feed), then catches up from the index's checkpoint: what the feed
   * brings meanwhile waits, and whatever the catch-up read already is passed over.
   */
  async start(events: Observable<RecordedEvent>): Promise<void> {
    this.subscription = events.subscribe((event) => {
      if (!indexed.has(event)) return;
      this.queue.push(event);
      if (this.started) this.gather();
    });
    this.applied = await this.index.checkpoint();
    for (;;) {
      const page = await this.store.readAll({ from: this.applied, maxCount: PAGE, filter: { eventTypes: indexedTypes } });
      const events = page.filter(indexed.has);
      if (page.length > 0) await this.commit(events, page[page.length - 1]!.position);
      if (page.length < PAGE) break;
    }
    this.started = true;
    this.drain();
    await this.settled();
  }

  /** Resolves once every message event the feed brought so far is in the index: what gathers is committed now. */
  async settled(): Promise<void> {
    for (;;) {
      if (this.gathering) this.drain();
      if (!this.draining) return;
      await this.draining;
    }
  }

  get position(): Position {
    return this.applied;
  }

  stop(): void {
    this.subscription?.unsubscribe();
    if (this.gathering) clearTimeout(this.gathering);
    this.gathering = null;
  }

  /** Commits the queue at the end of GATHER_MS, or at once when GATHER_MAX events wait. */
  private gather(): void {
    if (this.queue.length >= GATHER_MAX) this.drain();
    else if (!this.gathering && !this.draining) {
      // Unreferenced: what is left uncommitted at exit is read from the log at the next start.
      this.gathering = setTimeout(() => this.drain(), GATHER_MS).unref();
    }
  }

  private drain(): void {
    if (this.gathering) clearTimeout(this.gathering);
    this.gathering = null;
    if (this.draining || this.failed) return;
    this.draining = (async () => {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0);
        try {
          await this.commit(batch, batch[batch.length - 1]!.position);
        } catch (error) {
          // The index stops where it failed, as a failed projection does; search answers what it has.
          this.failed = error;
          this.onError(error);
          return;
        }
      }
    })().finally(() => {
      this.draining = null;
      // An event may have come between the loop's last look and here.
      if (this.queue.length > 0) this.gather();
    });
  }

  /** Commits the events after the checkpoint up to `to`; after a lost fence, again from where the other writer left it. */
  private async commit(events: ReadonlyArray<RecordedEvent<Indexed>>, to: Position): Promise<void> {
    for (;;) {
      if (to <= this.applied) return;
      const from = this.applied;
      const writes = events.filter((event) => event.position > from).flatMap((event) => searchWrite(event) ?? []);
      if (await this.index.commit({ from, to, writes })) {
        this.applied = to;
        return;
      }
      const stored = await this.index.checkpoint();
      if (stored < from) throw new Error(`the search index's checkpoint moved back, from ${from} to ${stored}`);
      this.applied = stored;
    }
  }
}
