import { expect } from 'chai';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import { RoutingState, roomStreamPages, type RoomStreamPage } from '../../src/projections/routing-state.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';

const at = '2026-01-01T00:00:00.000Z';

/** A room's streams as the test writes them: revisions follow the order appended. */
class Streams {
  readonly byRoom = new Map<number, StoredEvent[]>();
  /** Stream reads made, by room. */
  readonly reads: number[] = [];
  /** When set, each read waits for it: the test decides when a read returns. */
  hold: Promise<void> | null = null;

  add(position: number, type: string, data: Record<string, unknown>): StoredEvent {
    const roomId = Number(data['roomId']);
    const stream = this.byRoom.get(roomId) ?? [];
    const event: StoredEvent = {
      id: `e${position}`,
      stream: `room-${roomId}`,
      revision: stream.length,
      position,
      type,
      data,
      metadata: { correlationId: 'c', at },
      created: 0,
    };
    stream.push(event);
    this.byRoom.set(roomId, stream);
    return event;
  }

  /** Two events a page, newest first, as the stream stands when the read begins; answered once `hold` lets it. */
  readonly page: RoomStreamPage = async (roomId, from) => {
    this.reads.push(roomId);
    const stream = this.byRoom.get(roomId) ?? [];
    const top = from ?? stream.length - 1;
    const page = stream.slice(Math.max(0, top - 1), top + 1).reverse();
    if (this.hold) await this.hold;
    return page;
  };
}

const group = (roomId: number, members: number[]): Record<string, unknown> => ({ roomId, kind: 'group', members });
const created = (roomId: number, members: number[]) => ({ ...group(roomId, members), name: 'g', creator: members[0], key: 'k' });
const joined = (roomId: number, userId: number, members: number[]) => ({ ...group(roomId, members), userId, via: 'key', by: userId });
const removed = (roomId: number, userId: number, members: number[]) => ({ ...group(roomId, members), userId, by: members[0] });

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const members = (routing: RoutingState, roomId: number): Promise<number[]> =>
  routing.using([roomId], () => [...(routing.room(roomId)?.members ?? [])].sort((a, b) => a - b));

describe('RoutingState', function () {
  it('reads nothing until a room is needed, then only that room, once', async function () {
    const streams = new Streams();
    streams.add(1, 'RoomCreated', created(1, [1, 2]));
    streams.add(2, 'RoomCreated', created(2, [1, 3]));
    const routing = new RoutingState(streams.page, 2, 10);
    expect(streams.reads).to.deep.equal([]);
    expect(routing.cached(1)).to.equal(false);
    expect(() => routing.room(1), 'a room not in memory is no answer').to.throw(/not in the routing state/);
    expect(await members(routing, 1)).to.deep.equal([1, 2]);
    expect(await members(routing, 1)).to.deep.equal([1, 2]);
    expect(streams.reads).to.deep.equal([1]);
    expect(await routing.route(9), 'a room that never was').to.equal(undefined);
  });

  it('loads a room as it stands at its position: a change the feed has not brought yet is not applied early', async function () {
    const streams = new Streams();
    streams.add(1, 'RoomCreated', created(1, [1, 2, 3]));
    streams.add(2, 'RoomMemberJoined', joined(1, 4, [1, 2, 3, 4]));
    // Committed, and in the stream, but the feed is at 2: messages before 3 still go to user 2.
    const removal = streams.add(3, 'RoomMemberRemoved', removed(1, 2, [1, 3, 4]));
    const later = streams.add(4, 'RoomMemberJoined', joined(1, 5, [1, 3, 4, 5]));
    const routing = new RoutingState(streams.page, 2, 10);
    expect(await members(routing, 1)).to.deep.equal([1, 2, 3, 4]);
    expect(streams.reads, 'the newest page is past the position: the next one is read').to.deep.equal([1, 1]);
    routing.apply(removal);
    expect(await members(routing, 1), 'and the feed applies the removal in its turn').to.deep.equal([1, 3, 4]);
    routing.apply(later);
    expect(await members(routing, 1)).to.deep.equal([1, 3, 4, 5]);
  });

  it('loses nothing the feed applies while the room is read, whether the read saw it or not, and applies nothing early', async function () {
    for (const readSeesIt of [false, true]) {
      const streams = new Streams();
      streams.add(1, 'RoomCreated', created(1, [1, 2]));
      const routing = new RoutingState(streams.page, 1, 10);
      const read = deferred();
      streams.hold = read.promise;
      let join: StoredEvent | undefined;
      let removal: StoredEvent | undefined;
      if (readSeesIt) {
        join = streams.add(2, 'RoomMemberJoined', joined(1, 3, [1, 2, 3]));
        removal = streams.add(3, 'RoomMemberRemoved', removed(1, 2, [1, 3]));
      }
      const loaded = members(routing, 1);
      // The read has begun: committed after it, these are not in what it returns.
      join ??= streams.add(2, 'RoomMemberJoined', joined(1, 3, [1, 2, 3]));
      removal ??= streams.add(3, 'RoomMemberRemoved', removed(1, 2, [1, 3]));
      routing.apply(join);
      // The removal is committed but the feed has not brought it: user 2 still gets what comes before it.
      read.resolve();
      expect(await loaded, `the read ${readSeesIt ? 'saw' : 'missed'} the join`).to.deep.equal([1, 2, 3]);
      routing.apply(removal);
      expect(await members(routing, 1)).to.deep.equal([1, 3]);
      expect(streams.reads).to.deep.equal([1]);
    }
  });

  it('loses no event the feed applies in any turn between the read returning and the room entering memory', async function () {
    for (let turns = 0; turns < 8; turns++) {
      const streams = new Streams();
      streams.add(1, 'RoomCreated', created(1, [1, 2]));
      const routing = new RoutingState(streams.page, 1, 10);
      const read = deferred();
      streams.hold = read.promise;
      const loaded = members(routing, 1);
      const join = streams.add(2, 'RoomMemberJoined', joined(1, 3, [1, 2, 3]));
      read.resolve();
      for (let turn = 0; turn < turns; turn++) await null;
      routing.apply(join);
      // Read before the join or after it, as the turn falls; never without it once it is applied.
      await loaded;
      expect(await members(routing, 1), `applied ${turns} turns after the read returned`).to.deep.equal([1, 2, 3]);
    }
  });

  it('creates a room from the feed without a read, and passes over events of rooms not in memory', async function () {
    const streams = new Streams();
    const routing = new RoutingState(streams.page, 0, 10);
    routing.apply(streams.add(1, 'RoomCreated', { ...created(1, [1, 2]), kind: 'direct' }));
    routing.apply(streams.add(2, 'RoomMemberJoined', joined(7, 3, [1, 3])));
    expect(routing.cached(1)).to.equal(true);
    expect(routing.cached(7), 'not created here: read when needed').to.equal(false);
    expect(routing.directRoom(2, 1)).to.equal(1);
    routing.apply(streams.add(3, 'RoomDeleted', { ...group(1, [1, 2]), kind: 'direct', by: 1 }));
    expect(await routing.route(1), 'deleted').to.equal(undefined);
    expect(streams.reads).to.deep.equal([]);
  });

  it('keeps at most its bound of rooms, the least recently used dropped, never one in use', async function () {
    const streams = new Streams();
    for (let room = 1; room <= 4; room++) streams.add(room, 'RoomCreated', created(room, [room, 10]));
    const routing = new RoutingState(streams.page, 4, 2);
    await members(routing, 1);
    await members(routing, 2);
    await members(routing, 1);
    await members(routing, 3);
    expect(
      [1, 2, 3].map((room) => routing.cached(room)),
      'room 2 was used least lately',
    ).to.deep.equal([true, false, true]);
    // Rooms in use stay, past the bound, until their user is done.
    await routing.using([1, 2, 3, 4], () => {
      expect(routing.size).to.equal(4);
      expect([1, 2, 3, 4].map((room) => routing.room(room)?.members.has(room))).to.deep.equal([true, true, true, true]);
    });
    expect(routing.size).to.equal(2);
    // A dropped room is read again, at the position the state stands at.
    const removal = streams.add(5, 'RoomMemberRemoved', removed(1, 10, [1]));
    routing.apply(removal);
    if (!routing.cached(1)) expect(await members(routing, 1)).to.deep.equal([1]);
    else expect(await members(routing, 1), 'kept, and the feed applied the removal').to.deep.equal([1]);
  });

  it('reads a room from its stream in the SQLite log', async function () {
    const store = SqliteEventStore.open({ file: ':memory:', durability: 'normal' });
    try {
      const metadata = { correlationId: 'c', at };
      await store.append('room-1', [{ type: 'RoomCreated', data: created(1, [1, 2]), metadata }]);
      await store.append('day-1', [{ type: 'MessageSent', data: { roomId: 1 }, metadata }]);
      for (let user = 3; user <= 20; user++) {
        const everyone = Array.from({ length: user }, (_, i) => i + 1);
        await store.append('room-1', [{ type: 'RoomMemberJoined', data: joined(1, user, everyone), metadata }]);
      }
      const head = await store.headPosition();
      const routing = new RoutingState(roomStreamPages(store), head, 10);
      expect((await members(routing, 1)).length).to.equal(20);
      const early = new RoutingState(roomStreamPages(store), 2, 10);
      expect(await members(early, 1), 'at position 2, past pages of newer events').to.deep.equal([1, 2]);
    } finally {
      await store.close();
    }
  });
});
