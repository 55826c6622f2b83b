import type { ContactEvent } from '../../events/contact.js';
import { messageChangeEventTypes, type MessageChange } from '../../events/message.js';
import { EventTypes } from '../../events/event-types.js';
import type { Position, RecordedEvent } from '../../events/recorded-event.js';
import type { RoomEvent, RoomId } from '../../events/room.js';
import { audienceOf, notificationEventTypes } from '../../projections/notifications.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { messageChangeDelivery, messageDelivery, notificationDelivery } from './delivery.js';
import type { RoutingState } from '../../projections/routing-state.js';
import type { ReadSignals } from './read-signals.js';

const notifications = new EventTypes<ContactEvent | RoomEvent>(notificationEventTypes);
const messageChanges = new EventTypes<MessageChange>(messageChangeEventTypes);

/** The room whose members an event goes to, when the routing state must know it to route the event. */
function roomOf(event: RecordedEvent): RoomId | undefined {
  if (event.type === 'MessageSent' || event.type === 'RoomReadMarked' || messageChanges.has(event)) return event.data.roomId;
  return undefined;
}

/**
 * Routes each live event once, in order: its audience is computed from the event
 * (notifications) or from the routing state (room messages), and it is pushed to those users'
 * connections only. An event whose room is not in memory waits for the room to be read, and
 * every later event waits behind it: the routing state then stands at that event, not after.
 */
export class FanOut {
  /** The position of the last event routed: replays read up to here. */
  position: Position;
  /** Events waiting behind one whose room is being read, and whether they are being routed. */
  private readonly waiting: RecordedEvent[] = [];
  private draining = false;
  /** Resolved once nothing waits. */
  private settledWaiters: Array<() => void> = [];

  constructor(
    private readonly routing: RoutingState,
    private readonly registry: ConnectionRegistry,
    from: Position,
    private readonly reads: ReadSignals,
    /** Hears of an event that could not be routed (its room could not be read, a handler threw). */
    private readonly failed: (error: unknown, event: RecordedEvent) => void,
  ) {
    this.position = from;
  }

  route(event: RecordedEvent): void {
    if (this.draining) return void this.waiting.push(event);
    const room = roomOf(event);
    if (room === undefined || this.routing.cached(room)) return this.routeNow(event);
    this.waiting.push(event);
    this.draining = true;
    void this.drain();
  }

  /** Routes the waiting events in order, reading each missing room before its event. */
  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const room = roomOf(this.waiting[0]!)!;
      try {
        await this.routing.using([room], () => this.routeReady());
      } catch (error) {
        // The room could not be read: the event is given up (devices get it on their next catch-up), the rest go on.
        const event = this.waiting.shift()!;
        this.routing.apply(event);
        this.position = event.position;
        this.failed(error, event);
      }
    }
    this.draining = false;
    for (const settle of this.settledWaiters.splice(0)) settle();
  }

  /** Resolves once every event the feed has brought so far is routed (at once when none waits). */
  settled(): Promise<void> {
    if (!this.draining) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** The first waiting event (its room now in memory), then every one after it whose room is in memory. */
  private routeReady(): void {
    this.routeNow(this.waiting.shift()!);
    while (this.waiting.length > 0) {
      const next = roomOf(this.waiting[0]!);
      if (next !== undefined && !this.routing.cached(next)) return;
      this.routeNow(this.waiting.shift()!);
    }
  }

  private routeNow(event: RecordedEvent): void {
    this.routing.apply(event);
    this.position = event.position;
    try {
      this.deliver(event);
    } catch (error) {
      this.failed(error, event);
    }
  }

  private deliver(event: RecordedEvent): void {
    if (event.type === 'MessageSent') {
      const room = this.routing.room(event.data.roomId);
      if (room) this.registry.deliver(room.members, messageDelivery(event, room));
    } else if (messageChanges.has(event)) {
      // To the room's members now: whoever left it no longer sees its messages.
      const room = this.routing.room(event.data.roomId);
      if (room) this.registry.deliver(room.members, messageChangeDelivery(event, room));
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
