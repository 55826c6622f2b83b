import { expect } from 'chai';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import { RoutingState } from '../../src/projections/routing-state.js';
import { liveSendGuard } from '../../src/use-cases/live-send-guard.js';
import { RecentSends } from '../../src/use-cases/recent-sends.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';

const metadata = { correlationId: 'c', at: '2026-01-01T00:00:00.000Z' };
const room = { roomId: 1, kind: 'group' };
const created: StoredEvent = {
  id: 'e1',
  stream: 'room-1',
  revision: 0,
  position: 1,
  type: 'RoomCreated',
  data: { ...room, name: 'g', creator: 1, key: 'k', members: [1] },
  metadata,
  created: 0,
};
const joined: StoredEvent = {
  ...created,
  id: 'e2',
  revision: 1,
  position: 2,
  type: 'RoomMemberJoined',
  data: { ...room, userId: 2, via: 'key', by: 2, members: [1, 2] },
};

describe('liveSendGuard', function () {
  it('checks a refusal again once the routing state has caught up with the feed: a join just answered is not missed', async function () {
    const store = SqliteEventStore.open({ file: ':memory:', durability: 'normal' });
    try {
      const recent = await RecentSends.load(store, 0);
      const routing = new RoutingState(async () => [], 0, 10);
      routing.apply(created);
      // The join is in the feed but waits behind a room being read: applied when the fan-out catches up.
      let caughtUp = 0;
      const guard = liveSendGuard(routing, recent, async () => {
        caughtUp += 1;
        routing.apply(joined);
      });
      expect(await guard.refusal(1, 1)).to.equal(null);
      expect(caughtUp, 'a member is let through without waiting').to.equal(0);
      expect(await guard.refusal(1, 2)).to.equal(null);
      expect(caughtUp).to.equal(1);
      expect(await guard.refusal(1, 3)).to.equal('not_a_member');
      expect(await guard.refusal(9, 1)).to.equal('room_not_found');
    } finally {
      await store.close();
    }
  });
});
