import type { ContactEvent } from '../../events/contact.js';
import { messageChangeEventTypes, type MessageChange } from '../../events/message.js';
import { EventTypes } from '../../events/event-types.js';
import type { Position, RecordedEvent } from '../../events/recorded-event.js';
import type { RoomEvent } from '../../events/room.js';
import { audienceOf, notificationEventTypes } from '../../projections/notifications.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { messageChangeDelivery, messageDelivery, notificationDelivery } from './delivery.js';
import type { RoutingState } from '../../projections/routing-state.js';
import type { ReadSignals } from './read-signals.js';

const notifications = new EventTypes<ContactEvent | RoomEvent>(notificationEventTypes);
const messageChanges = new EventTypes<MessageChange>(messageChangeEventTypes);

/**
 * Routes each live event once: its audience is computed from the event (notifications) or
 * from the routing state (room messages), and it is pushed to those users' connections only.
 */
export class FanOut {
  /** The position of the last event routed: replays read up to here. */
  position: Position;

  constructor(
    private readonly routing: RoutingState,
    private readonly registry: ConnectionRegistry,
    from: Position,
    private readonly reads: ReadSignals,
  ) {
    this.position = from;
  }

  route(event: RecordedEvent): void {
    this.routing.apply(event);
    this.position = event.position;
    if (event.type === 'MessageSent') {
      const delivery = messageDelivery(event);
      const room = this.routing.room(delivery.message.room);
      if (room) this.registry.deliver(room.members, delivery);
    } else if (messageChanges.has(event)) {
      // To the room's members now: whoever left it no longer sees its messages.
      const room = this.routing.room(event.data.roomId);
      if (room) this.registry.deliver(room.members, messageChangeDelivery(event));
    } else if (notifications.has(event)) {
      this.registry.deliver(audienceOf(event), notificationDelivery(event));
    } else if (event.type === 'RoomReadMarked') {
      this.reads.route(event);
    } else if (event.type === 'SessionEnded') {
      this.registry.closeSession(event.data.sessionId, 'session ended');
    } else if (event.type === 'UserErased') {
      this.registry.closeUser(event.data.userId, 'account erased');
    }
  }
}
