import { expect } from 'chai';
import { fold } from '../../src/commands/decider.js';
import { roomDecider, type RoomCommand } from '../../src/commands/room.js';
import type { EschatEvent, StoredEvent } from '../../src/events/eschat-event.js';
import { EventTypes } from '../../src/events/event-types.js';
import type { RecordedEvent } from '../../src/events/recorded-event.js';
import type { RoomEvent } from '../../src/events/room.js';
import { mediaProjection } from '../../src/projections/media.js';
import { messagesProjection } from '../../src/projections/messages.js';
import type { Projection } from '../../src/projections/projection.js';
import { roomsProjection, type RoomDocument } from '../../src/projections/rooms.js';
import { MemoryReadStore } from '../../src/store/memory/memory-read-store.js';
import type { Document } from '../../src/store/ports/read-store.js';

/** Recorded events as the store would give them, one stream, positions from `first`. */
function recorded(events: readonly EschatEvent[], first = 1): RecordedEvent[] {
  return events.map((event, i) => ({
    ...event,
    id: `e${i}`,
    stream: 's',
    revision: i,
    position: first + i,
    created: 0,
    metadata: { correlationId: 'c', at: '2026-01-02T03:04:05.678Z' },
  }));
}

/** A room's history, decided command after command. */
function history(commands: RoomCommand[]): RoomEvent[] {
  const events: RoomEvent[] = [];
  for (const command of commands) events.push(...(roomDecider.decide(fold(roomDecider, events), command) as RoomEvent[]));
  return events;
}

/** Applies what the runner would give the projection: the events of its types. */
async function apply(store: MemoryReadStore, projection: Projection, events: readonly StoredEvent[]): Promise<void> {
  for (const event of events.filter(new EventTypes(projection.eventTypes).has))
    for (const { collection, operation } of projection.project(event)) await store.collection(collection).bulkWrite([operation]);
}

const snapshot = async (store: MemoryReadStore, collection: string): Promise<Document[]> =>
  store.collection(collection).find({}, { sort: { _id: 1 } });

describe('room, message and media projections', () => {
  const events = recorded(
    history([
      { kind: 'create', roomId: 4, roomKind: 'group', name: 'g', creator: 2, key: 'k', members: [9, 5], membersExist: true },
      { kind: 'leave', userId: 9 },
      { kind: 'add', by: 2, userId: 7, userExists: true },
      { kind: 'rotate', by: 2, key: 'k2' },
    ]),
  );

  it('keeps members sorted with their key, and ends the same when events are delivered again from anywhere', async () => {
    const once = new MemoryReadStore();
    await apply(once, roomsProjection, events);
    const [room] = (await snapshot(once, 'rooms')) as RoomDocument[];
    expect(room).to.deep.include({ _id: 4, kind: 'group', creator: 2, key: 'k2', members: [2, 5, 7], membersKey: '2,5,7', deleted: false });
    for (let from = 0; from < events.length; from++) {
      const again = new MemoryReadStore();
      await apply(again, roomsProjection, events);
      await apply(again, roomsProjection, events.slice(from));
      expect(await snapshot(again, 'rooms'), `redelivered from ${from}`).to.deep.equal(await snapshot(once, 'rooms'));
    }
  });

  it('marks a deleted room and keeps who was in it', async () => {
    const store = new MemoryReadStore();
    const deleted = recorded(
      history([
        { kind: 'create', roomId: 4, roomKind: 'group', name: 'g', creator: 2, key: null, members: [3], membersExist: true },
        { kind: 'delete', by: 2 },
      ]),
    );
    await apply(store, roomsProjection, deleted);
    expect((await snapshot(store, 'rooms'))[0]).to.deep.include({ deleted: true, members: [2, 3] });
  });

  it('stores a message once under its position, and the rooms a media file was sent to', async () => {
    const store = new MemoryReadStore();
    const sent = recorded([
      { type: 'MediaUploaded', data: { mediaId: 'm1', owner: 2, kind: 'image', contentType: 'image/png', size: 3, sha256: 'ab' } },
      { type: 'MessageSent', data: { roomId: 4, sender: 2, device: 'd', clientId: 'c', kind: 'image', text: null, mediaId: 'm1' } },
      { type: 'MessageSent', data: { roomId: 5, sender: 2, device: 'd', clientId: null, kind: 'image', text: null, mediaId: 'm1' } },
      { type: 'MessageSent', data: { roomId: 5, sender: 2, device: 'd', clientId: null, kind: 'text', text: 'hi', mediaId: null } },
    ]);
    for (let round = 0; round < 2; round++) {
      await apply(store, messagesProjection, sent.slice(1));
      await apply(store, mediaProjection, sent);
    }
    expect((await snapshot(store, 'messages')).map((message) => message._id)).to.deep.equal([2, 3, 4]);
    expect((await snapshot(store, 'messages'))[0]).to.deep.equal({
      _id: 2,
      room: 4,
      sender: 2,
      device: 'd',
      kind: 'image',
      text: null,
      mediaId: 'm1',
      clientId: 'c',
      at: '2026-01-02T03:04:05.678Z',
    });
    expect(await snapshot(store, 'media')).to.deep.equal([
      {
        _id: 'm1',
        owner: 2,
        kind: 'image',
        contentType: 'image/png',
        size: 3,
        sha256: 'ab',
        uploadedAt: '2026-01-02T03:04:05.678Z',
        rooms: [4, 5],
      },
    ]);
  });
});
