import { expect } from 'chai';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import { EventTypes, isEschatEvent } from '../../src/events/event-types.js';
import { roomEventTypes, type RoomEvent } from '../../src/events/room.js';

function stored(type: string, data: unknown): StoredEvent {
  return {
    id: 'e1',
    stream: 'room-4',
    revision: 0,
    position: 9,
    type,
    data,
    metadata: { correlationId: 'c', at: '2026-01-01T00:00:00.000Z' },
    created: 0,
  };
}

const created = stored('RoomCreated', { roomId: 4, name: 'g', creator: 2, key: null, kind: 'group', members: [2, 3] });

describe('EventTypes', () => {
  it('passes a known event, narrowed so that its type gives its data', () => {
    expect(isEschatEvent(created)).to.equal(true);
    if (!isEschatEvent(created)) return;
    // Compiles only because the guard narrowed the event: `switch` on the type gives the data.
    switch (created.type) {
      case 'RoomCreated':
        expect(created.data.members).to.deep.equal([2, 3]);
        break;
      default:
        expect.fail(`narrowed to ${created.type}`);
    }
  });

  it('passes only the types of its own set, as a filter', () => {
    const rooms = new EventTypes<RoomEvent>(roomEventTypes);
    const events = [
      created,
      stored('MessageSent', { roomId: 4 }),
      stored('RoomDeleted', { roomId: 4, by: 2, kind: 'group', members: [2] }),
    ];
    const kept: RoomEvent['data'][] = events.filter(rooms.has).map((event) => event.data);
    expect(kept.map((data) => data.roomId)).to.deep.equal([4, 4]);
    expect(events.filter(rooms.has).map((event) => event.type)).to.deep.equal(['RoomCreated', 'RoomDeleted']);
  });

  it('does not pass an event of a type this version does not know, which stays an event with its type and data', () => {
    const newer = stored('RoomArchived', { roomId: 4 });
    expect(isEschatEvent(newer)).to.equal(false);
    expect(new EventTypes<RoomEvent>(roomEventTypes).has(newer)).to.equal(false);
    expect(newer).to.include({ type: 'RoomArchived', position: 9 });
  });
});
