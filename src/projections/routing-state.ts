import type { Observable } from 'rxjs';
import type { StoredEvent } from '../events/eschat-event.js';
import { EventTypes } from '../events/event-types.js';
import type { Position, UserId } from '../events/recorded-event.js';
import { roomEventTypes, type RoomEvent, type RoomId, type RoomKind } from '../events/room.js';
import type { EventStore } from '../store/ports/event-store.js';

export interface RoomRoute {
  kind: RoomKind;
  members: ReadonlySet<UserId>;
}

const PAGE = 10_000;
const roomEvents = new EventTypes<RoomEvent>(roomEventTypes);

/**
 * Who is in which room, kept in this process by the same events it routes, in order: the
 * audience of a message is looked up here, in O(1), never in a read model that may lag.
 */
export class RoutingState {
  private readonly rooms = new Map<RoomId, RoomRoute>();
  /** The direct room of each pair, by `<low>-<high>`. */
  private readonly directRooms = new Map<string, RoomId>();
  /** The rooms of each member: who shares a room with whom (presence's audience), without a scan of every room. */
  private readonly byMember = new Map<UserId, Set<RoomId>>();

  /** Builds the state from the log up to `upTo` (inclusive). */
  static async load(store: EventStore, upTo: Position): Promise<RoutingState> {
    const state = new RoutingState();
    let from = 0;
    for (;;) {
      const page = await store.readAll({ from, maxCount: PAGE, filter: { eventTypes: roomEventTypes } });
      for (const event of page) if (event.position <= upTo) state.apply(event);
      const last = page.at(-1);
      if (!last || page.length < PAGE || last.position >= upTo) return state;
      from = last.position;
    }
  }

  /**
   * A state kept by `events` as they come, for a server that reads the log once at start: it
   * follows the feed that catches the read models up. Handed over by `detach`.
   */
  static follow(events: Observable<StoredEvent>): FollowedRouting {
    const state = new RoutingState();
    // The feed resubscribes rather than errors; should it error anyway, the state is just not handed over.
    let failed = false;
    const subscription = events.subscribe({ next: (event) => state.apply(event), error: () => (failed = true) });
    return {
      detach(from) {
        subscription.unsubscribe();
        return from === 0 && !failed ? state : undefined;
      },
    };
  }

  apply(event: StoredEvent): void {
    if (!roomEvents.has(event)) return;
    const { roomId } = event.data;
    for (const member of this.rooms.get(roomId)?.members ?? []) this.leave(member, roomId);
    if (event.type === 'RoomDeleted') this.rooms.delete(roomId);
    else {
      this.rooms.set(roomId, { kind: event.data.kind, members: new Set(event.data.members) });
      for (const member of event.data.members) this.byMember.set(member, (this.byMember.get(member) ?? new Set()).add(roomId));
    }
    if (event.type === 'RoomCreated' && event.data.kind === 'direct') {
      const [a = 0, b = a] = event.data.members;
      this.directRooms.set(pairKey(a, b), event.data.roomId);
    }
  }

  /** The direct room of two users, once it exists. */
  directRoom(a: UserId, b: UserId): RoomId | undefined {
    return this.directRooms.get(pairKey(a, b));
  }

  /** The rooms `userId` is a member of. */
  roomsOf(userId: UserId): ReadonlySet<RoomId> {
    return this.byMember.get(userId) ?? NO_ROOMS;
  }

  /** Whether two users are members of one room. */
  shareARoom(a: UserId, b: UserId): boolean {
    const [fewer, other] = this.roomsOf(a).size <= this.roomsOf(b).size ? [a, b] : [b, a];
    for (const roomId of this.roomsOf(fewer)) if (this.rooms.get(roomId)?.members.has(other)) return true;
    return false;
  }

  private leave(member: UserId, roomId: RoomId): void {
    const rooms = this.byMember.get(member);
    rooms?.delete(roomId);
    if (rooms?.size === 0) this.byMember.delete(member);
  }

  room(id: RoomId): RoomRoute | undefined {
    return this.rooms.get(id);
  }

  /** The other member of a direct room, as seen by `me`. */
  peer(id: RoomId, me: UserId): UserId | undefined {
    const room = this.rooms.get(id);
    if (!room || room.kind !== 'direct') return undefined;
    for (const member of room.members) if (member !== me) return member;
    return me;
  }
}

export interface FollowedRouting {
  /**
   * Stops following. The state, with every event the feed emitted applied, when the feed
   * started at the beginning of the log (`from` 0, as for a read store rebuilt at start);
   * otherwise undefined: it missed the older events, and the caller loads the state instead.
   */
  detach(from: Position): RoutingState | undefined;
}

const NO_ROOMS: ReadonlySet<RoomId> = new Set();

const pairKey = (a: UserId, b: UserId): string => `${Math.min(a, b)}-${Math.max(a, b)}`;
