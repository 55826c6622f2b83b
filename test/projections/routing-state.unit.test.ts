import { expect } from 'chai';
import { Subject } from 'rxjs';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import { RoutingState } from '../../src/projections/routing-state.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';

function roomEvent(position: number, type: string, data: Record<string, unknown>): StoredEvent {
  return {
    id: `e${position}`,
    stream: `room-${String(data['roomId'])}`,
    revision: 0,
    position,
    type,
    data,
    metadata: { correlationId: 'c', at: '2026-01-01T00:00:00.000Z' },
    created: 0,
  };
}

const events = [
  roomEvent(1, 'RoomCreated', { roomId: 1, name: null, creator: 1, key: null, kind: 'direct', members: [1, 2] }),
  roomEvent(2, 'RoomCreated', { roomId: 2, name: 'g', creator: 1, key: 'k', kind: 'group', members: [1] }),
  roomEvent(3, 'RoomMemberJoined', { roomId: 2, userId: 3, via: 'key', by: 3, kind: 'group', members: [1, 3] }),
  roomEvent(4, 'RoomDeleted', { roomId: 1, by: 1, kind: 'direct', members: [1, 2] }),
];

describe('RoutingState', function () {
  it('follows a feed from the start of the log to the same state as a load', async function () {
    const feed = new Subject<StoredEvent>();
    const following = RoutingState.follow(feed);
    for (const event of events.slice(0, 3)) feed.next(event);
    const routing = following.detach(0);
    feed.next(events[3] as StoredEvent); // after the hand-over: not the follower's any more
    expect(routing?.room(1)?.members).to.deep.equal(new Set([1, 2]));
    expect([...(routing?.room(2)?.members ?? [])]).to.deep.equal([1, 3]);
    expect(routing?.directRoom(2, 1)).to.equal(1);

    const store = SqliteEventStore.open({ file: ':memory:', durability: 'normal' });
    try {
      for (const { stream, type, data, metadata } of events.slice(0, 3)) await store.append(stream, [{ type, data, metadata }]);
      const loaded = await RoutingState.load(store, 3);
      expect(loaded).to.deep.equal(routing);
    } finally {
      await store.close();
    }
  });

  it('hands nothing over when the feed began after the start of the log', function () {
    const feed = new Subject<StoredEvent>();
    const following = RoutingState.follow(feed);
    feed.next(events[2] as StoredEvent);
    expect(following.detach(2)).to.equal(undefined);
    expect(feed.observed).to.equal(false);
  });

  it('knows the rooms of each member, and who shares a room, through joins, leaves and deletions', () => {
    const routing = new RoutingState();
    for (const event of events.slice(0, 3)) routing.apply(event);
    expect([...routing.roomsOf(1)].sort()).to.deep.equal([1, 2]);
    expect(routing.shareARoom(2, 1)).to.equal(true);
    expect(routing.shareARoom(3, 2), 'in no room together').to.equal(false);
    routing.apply(roomEvent(5, 'RoomMemberLeft', { roomId: 2, userId: 3, kind: 'group', members: [1] }));
    expect([...routing.roomsOf(3)]).to.deep.equal([]);
    expect(routing.shareARoom(1, 3)).to.equal(false);
    routing.apply(events[3] as StoredEvent);
    expect([...routing.roomsOf(1)]).to.deep.equal([2]);
    expect([...routing.roomsOf(2)]).to.deep.equal([]);
    expect(routing.shareARoom(1, 2), 'their direct room was deleted').to.equal(false);
  });
});
