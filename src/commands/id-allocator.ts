import type { EschatEvent } from '../events/eschat-event.js';
import { EventTypes } from '../events/event-types.js';
import type { RecordedEvent } from '../events/recorded-event.js';
import type { RoomCreated } from '../events/room.js';
import type { UserRegistered } from '../events/user.js';
import type { EventStore } from '../store/ports/event-store.js';

/**
 * Hands out integer ids for a kind of aggregate. Uniqueness is not this class's job: the
 * aggregate's first append expects "no stream", so two processes that pick the same id
 * conflict and the loser asks again. The counter only keeps conflicts rare.
 */
export class IdAllocator {
  private last = 0;
  private seeded = false;

  private constructor(
    /** The id of the newest aggregate in the log, 0 when there is none. */
    private readonly highestRecorded: () => Promise<number>,
  ) {}

  /** Ids of the aggregates `created` creates, the newest of which holds the highest id (`idOf`). */
  static of<E extends EschatEvent>(store: EventStore, created: EventTypes<E>, idOf: (event: RecordedEvent<E>) => number): IdAllocator {
    return new IdAllocator(async () => {
      const [newest] = await store.readAll({ direction: 'backwards', maxCount: 1, filter: { eventTypes: created.types } });
      return newest && created.has(newest) ? idOf(newest) : 0;
    });
  }

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
}

export const roomIdAllocator = (store: EventStore): IdAllocator =>
  IdAllocator.of(store, new EventTypes<RoomCreated>(['RoomCreated']), (event) => event.data.roomId);

export const userIdAllocator = (store: EventStore): IdAllocator =>
  IdAllocator.of(store, new EventTypes<UserRegistered>(['UserRegistered']), (event) => event.data.userId);
