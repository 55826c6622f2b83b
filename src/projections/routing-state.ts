import type { StoredEvent } from '../events/eschat-event.js';
import { EventTypes } from '../events/event-types.js';
import type { Position, RecordedEvent, Revision, UserId } from '../events/recorded-event.js';
import { roomEventTypes, roomStream, type RoomEvent, type RoomId, type RoomKind } from '../events/room.js';
import type { EventStore } from '../store/ports/event-store.js';

export interface RoomRoute {
  kind: RoomKind;
  /** Replaced, never changed, by each event: a route handed out stays what it was. */
  members: ReadonlySet<UserId>;
}

/** A page of a room's own events, newest first, from revision `from` down (undefined: from its end). */
export type RoomStreamPage = (roomId: RoomId, from: Revision | undefined) => Promise<StoredEvent[]>;

const LOAD_PAGE = 8;

/** The pages of the rooms' streams in `store`: a room stream holds its membership events only, not its messages. */
export const roomStreamPages =
  (store: EventStore): RoomStreamPage =>
  (roomId, from) =>
    store.readStream(roomStream(roomId), { direction: 'backwards', fromRevision: from, maxCount: LOAD_PAGE });

const roomEvents = new EventTypes<RoomEvent>(roomEventTypes);

/** Null: the room is known not to exist at this position (never created, or deleted). */
type Entry = RoomRoute | null;

interface Load {
  done: Promise<void>;
  /** The feed's events of the room applied while its stream is read, in order. */
  buffered: RecordedEvent<RoomEvent>[];
}

/**
 * Who is in which room, at exactly the position of the last event applied: the audience of a
 * message is looked up here, in O(1), never in a read model that may lag. Rooms are kept for
 * the working set only: a room not in memory is read from its own stream (a handful of
 * membership events; each carries every member, so the newest one says it all) when first
 * needed, and the least recently used ones are dropped past `bound`. A start reads nothing.
 *
 * `apply` is given the live feed's events in order. A room loaded meanwhile takes from its
 * stream what is at or before the state's position and then what the feed applied during the
 * read: a read that began before an event committed loses nothing, and one that saw an event
 * the feed has not brought yet does not apply it early.
 */
export class RoutingState {
  /** In least recently used order: a lookup moves its room to the end. */
  private readonly rooms = new Map<RoomId, Entry>();
  private readonly loads = new Map<RoomId, Load>();
  /** Rooms in use by a caller of `using`: never dropped meanwhile. */
  private readonly pins = new Map<RoomId, number>();
  /** The direct room of each pair, by `<low>-<high>`, for the pairs seen lately: a miss is looked up in the log. */
  private readonly directRooms = new Map<string, RoomId>();

  constructor(
    private readonly page: RoomStreamPage,
    /** The position of the last event applied. */
    public position: Position,
    /** How many rooms stay in memory (more while pinned ones are in use). */
    private readonly bound: number,
  ) {}

  /** The feed's next event, in order. */
  apply(event: StoredEvent): void {
    if (event.position > this.position) this.position = event.position;
    if (!roomEvents.has(event)) return;
    const { roomId } = event.data;
    const load = this.loads.get(roomId);
    if (load) load.buffered.push(event);
    else if (this.rooms.has(roomId) || event.type === 'RoomCreated') this.set(roomId, entryOf(event));
  }

  /**
   * Runs `use` once these rooms are in memory, and keeps them there until it returns: inside
   * it, `room`, `peer` and `cached` answer for them synchronously.
   */
  async using<T>(ids: Iterable<RoomId>, use: () => T): Promise<T> {
    const rooms = [...new Set(ids)];
    for (const id of rooms) this.pins.set(id, (this.pins.get(id) ?? 0) + 1);
    try {
      await Promise.all(rooms.map((id) => this.ensure(id)));
      return use();
    } finally {
      for (const id of rooms) {
        const left = this.pins.get(id)! - 1;
        if (left === 0) this.pins.delete(id);
        else this.pins.set(id, left);
      }
      this.evict();
    }
  }

  /** A room's route now, read from its stream when not in memory; undefined when it does not exist. */
  async route(id: RoomId): Promise<RoomRoute | undefined> {
    return this.cached(id) ? this.room(id) : this.using([id], () => this.room(id));
  }

  /** Whether `room(id)` can answer now. */
  cached(id: RoomId): boolean {
    return this.rooms.has(id);
  }

  /** A room in memory (see `using`); undefined when it does not exist. Throws for a room not in memory. */
  room(id: RoomId): RoomRoute | undefined {
    const entry = this.rooms.get(id);
    if (entry === undefined) throw new Error(`room ${id} is not in the routing state: load it first`);
    this.rooms.delete(id);
    this.rooms.set(id, entry);
    return entry ?? undefined;
  }

  /** The direct room of two users, when seen lately (created or loaded here). */
  directRoom(a: UserId, b: UserId): RoomId | undefined {
    return this.directRooms.get(pairKey(a, b));
  }

  /** How many rooms are in memory. */
  get size(): number {
    return this.rooms.size;
  }

  private ensure(id: RoomId): Promise<void> {
    if (this.rooms.has(id)) return Promise.resolve();
    const running = this.loads.get(id);
    if (running) return running.done;
    const load: Load = { done: Promise.resolve(), buffered: [] };
    this.loads.set(id, load);
    load.done = this.load(id, load);
    return load.done;
  }

  /**
   * Reads the room, then applies what the feed brought meanwhile: in the same turn as it enters
   * `rooms` and leaves `loads`, so that no event of the feed falls between.
   */
  private async load(id: RoomId, load: Load): Promise<void> {
    try {
      let { entry, newest } = await this.read(id);
      for (const event of load.buffered) {
        if (event.position > newest) {
          entry = entryOf(event);
          newest = event.position;
        }
      }
      this.set(id, entry);
    } finally {
      this.loads.delete(id);
    }
  }

  /** The room from its stream: the newest event at or before the position says it all; one the feed has yet to bring is passed over. */
  private async read(id: RoomId): Promise<{ entry: Entry; newest: Position }> {
    let entry: Entry = null;
    let newest: Position = 0;
    let from: Revision | undefined;
    read: for (;;) {
      const page = await this.page(id, from);
      for (const event of page) {
        if (event.position > this.position || !roomEvents.has(event)) continue;
        entry = entryOf(event);
        newest = event.position;
        break read;
      }
      const oldest = page.at(-1);
      if (!oldest || oldest.revision === 0) break;
      from = oldest.revision - 1;
    }
    return { entry, newest };
  }

  private set(id: RoomId, entry: Entry): void {
    this.rooms.delete(id);
    this.rooms.set(id, entry);
    if (entry?.kind === 'direct') {
      const [a = 0, b = a] = entry.members;
      const key = pairKey(a, b);
      this.directRooms.delete(key);
      this.directRooms.set(key, id);
      if (this.directRooms.size > this.bound) this.directRooms.delete(this.directRooms.keys().next().value!);
    }
    this.evict();
  }

  /** Drops the least recently used rooms past the bound, but none in use. */
  private evict(): void {
    if (this.rooms.size <= this.bound) return;
    for (const id of this.rooms.keys()) {
      if (this.rooms.size <= this.bound) return;
      if (!this.pins.has(id)) this.rooms.delete(id);
    }
  }
}

function entryOf(event: RecordedEvent<RoomEvent>): Entry {
  return event.type === 'RoomDeleted' ? null : { kind: event.data.kind, members: new Set(event.data.members) };
}

/** The other member of a direct room, as seen by `me`; undefined for a group. */
export function peerIn(route: RoomRoute, me: UserId): UserId | undefined {
  if (route.kind !== 'direct') return undefined;
  for (const member of route.members) if (member !== me) return member;
  return me;
}

const pairKey = (a: UserId, b: UserId): string => `${Math.min(a, b)}-${Math.max(a, b)}`;
