import type { Observable, Subscription } from 'rxjs';
import type { Position, RecordedEvent } from '../events/recorded-event.js';
import type { JournaledStore } from '../store/ports/journaled-store.js';

/** Tries of a truncation a reader elsewhere holds up, and the wait between them. */
const TRIES = 10;
const RETRY_MS = 200;

/**
 * After each erasure (README, "Erasure"), once the read side has followed its `UserErased`
 * (`followed`: names and texts replaced, rows deleted, freed bytes zeroed by `secure_delete`),
 * truncates the journals of the stores that keep one: until then SQLite's WAL still holds the
 * pages as they were before, the erased person's plaintext with them, and an ordinary
 * checkpoint leaves those frames in the file. Erasures are rare; this costs a checkpoint each.
 */
export class ErasureJournals {
  private readonly subscription: Subscription;
  private pending: Promise<void> = Promise.resolve();
  private stopping: () => void = () => undefined;
  /** Resolves at stop: a wait for read models that will not get there any more (the server closing) ends with it. */
  private readonly stopped = new Promise<void>((resolve) => (this.stopping = resolve));

  constructor(
    events: Observable<RecordedEvent>,
    private readonly followed: (position: Position) => Promise<void>,
    private readonly stores: readonly JournaledStore[],
    private readonly onError: (error: unknown) => void,
  ) {
    this.subscription = events.subscribe((event) => {
      if (event.type !== 'UserErased') return;
      // One erasure after another: never two checkpoints of a file at once.
      this.pending = this.pending.then(() => this.truncateAfter(event.position)).catch(onError);
    });
  }

  /** Resolves once every erasure seen so far left the journals empty (or failed, as reported). */
  settled(): Promise<void> {
    return this.pending;
  }

  /** Stops following; what is under way finishes (await it before the stores close). */
  stop(): Promise<void> {
    this.subscription.unsubscribe();
    this.stopping();
    return this.pending;
  }

  private async truncateAfter(position: Position): Promise<void> {
    const followed = await Promise.race([this.followed(position).then(() => true), this.stopped.then(() => false)]);
    // Stopped first: the stores close now, and closing the last connection checkpoints and removes the WAL anyway.
    if (!followed) return;
    for (const store of this.stores) {
      let tries = 1;
      while (!(await store.truncateJournal())) {
        if (tries++ >= TRIES)
          throw new Error(`a journal stayed in use: the erasure at position ${position} may linger in it until the next`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }
}
