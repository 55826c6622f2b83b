import type { EventStore } from '../store/ports/event-store.js';

/**
 * Hands out integer ids for a kind of aggregate. Uniqueness is not this class's job: the
 * aggregate's first append expects "no stream", so two processes that pick the same id
 * conflict and the loser asks again. The counter only keeps conflicts rare.
 */
export class IdAllocator {
  private last = 0;
  private seeded = false;

  constructor(
    private readonly store: EventStore,
    /** The event that creates the aggregate, and where its id is in the data. */
    private readonly createdEvent: string,
    private readonly idOf: (data: unknown) => number,
  ) {}

  async next(): Promise<number> {
    if (!this.seeded) {
      this.last = Math.max(this.last, await this.highestRecorded());
      this.seeded = true;
    }
    this.last += 1;
    return this.last;
  }

  /** Another process took the id we offered: look at the log again before the next one. */
  conflicted(): void {
    this.seeded = false;
  }

  private async highestRecorded(): Promise<number> {
    const [newest] = await this.store.readAll({ direction: 'backwards', maxCount: 1, filter: { eventTypes: [this.createdEvent] } });
    return newest ? this.idOf(newest.data) : 0;
  }
}
