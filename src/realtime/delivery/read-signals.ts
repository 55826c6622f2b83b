import type { RoomReadMarked } from '../../events/read-state.js';
import type { RecordedEvent } from '../../events/recorded-event.js';
import type { Logger } from '../../platform/logger.js';
import type { ReadModels } from '../../projections/read-models.js';
import type { RoutingState } from '../../projections/routing-state.js';
import { unreadCount } from '../../queries/read-state.js';
import type { ConnectionRegistry } from './connection-registry.js';

/** How long the read frame waits for the history read model to reach the marker's event before counting anyway. */
const COUNT_WAIT_MS = 1000;

/**
 * The signals of a moved read marker, from the event alone, on every process: a `read` with
 * the unread count to the reader's devices, and a `receipt` to the room's other members when
 * the reader shares receipts.
 */
export class ReadSignals {
  constructor(
    private readonly routing: RoutingState,
    private readonly registry: ConnectionRegistry,
    private readonly read: ReadModels,
    private readonly log: Logger,
  ) {}

  route(event: RecordedEvent<RoomReadMarked>): void {
    const { roomId, userId, upTo, receipt } = event.data;
    const members = this.routing.room(roomId)?.members;
    if (receipt && members) {
      const others = [...members].filter((member) => member !== userId);
      this.registry.signal(others, { kind: 'receipt', roomId, userId, upTo });
    }
    if (!this.registry.connected(userId)) return;
    // Counted once the read model holds every message up to the event, so every device gets the same count.
    this.read
      .waitFor(event.position, COUNT_WAIT_MS)
      .then(() => unreadCount(this.read, userId, roomId, upTo))
      .then(
        (unread) => this.registry.signal([userId], { kind: 'read', roomId, upTo, unread }),
        (error: unknown) => this.log.error({ err: error, position: event.position }, 'the unread count of a read frame failed'),
      );
  }
}
