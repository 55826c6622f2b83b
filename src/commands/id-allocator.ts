/**
 * Hands out integer ids for a kind of aggregate. Uniqueness is not this class's job: the
 * aggregate's first append expects "no stream", so two processes that pick the same id
 * conflict and the loser asks again. The counter only keeps conflicts rare: it is seeded from
 * a read model (`highestKnown`), not the log, because finding the newest event of one type in
 * the log reads back through every other event (51 s on a 5M-event log); a read model that lags,
 * or lost its newest document (a deleted room), costs a conflict per id it is behind, since the
 * counter never moves back.
 */
export class IdAllocator {
  private last = 0;
  private seeded = false;

  constructor(
    /** The highest id a read model knows, 0 when there is none. */
    private readonly highestKnown: () => Promise<number>,
  ) {}

  async next(): Promise<number> {
    if (!this.seeded) {
      this.last = Math.max(this.last, await this.highestKnown());
      this.seeded = true;
    }
    this.last += 1;
    return this.last;
  }

  /** Another process took the id we offered: look again before the next one. */
  conflicted(): void {
    this.seeded = false;
  }
}
