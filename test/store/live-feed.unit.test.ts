import { expect } from 'chai';
import { firstValueFrom, take, toArray } from 'rxjs';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import { LiveFeed } from '../../src/store/live-feed.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import { meta, tempEventStore } from '../support/stores.js';

describe('LiveFeed', () => {
  let store: EventStore;
  beforeEach(async () => {
    store = await tempEventStore();
  });
  afterEach(() => store.close());

  it('carries the events this version knows, tells of the others, and moves its position past them', async () => {
    await store.append('room-4', [
      { type: 'RoomArchived', data: { roomId: 4 }, metadata: meta },
      { type: 'RoomDeleted', data: { roomId: 4, by: 2, kind: 'group', members: [2] }, metadata: meta },
    ]);
    const unknown: StoredEvent[] = [];
    const feed = new LiveFeed(store, { unknown: (event) => unknown.push(event) });
    try {
      const [event] = await firstValueFrom(feed.start(0).pipe(take(1), toArray()));
      expect(event).to.include({ type: 'RoomDeleted', position: 2 });
      expect(unknown.map(({ type, position }) => ({ type, position }))).to.deep.equal([{ type: 'RoomArchived', position: 1 }]);
      expect(feed.position).to.equal(2);
    } finally {
      feed.stop();
    }
  });
});
