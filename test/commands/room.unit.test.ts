import { expect } from 'chai';
import { fold } from '../../src/commands/decider.js';
import { IdAllocator } from '../../src/commands/id-allocator.js';
import {
  addMember,
  createGroup,
  directRoom,
  joinRoom,
  newRoomKey,
  roomDecider,
  type RoomCommand,
  type RoomState,
} from '../../src/commands/room.js';
import { registerUser } from '../../src/commands/user.js';
import { directRoomStream, roomStream, type RoomEvent } from '../../src/events/room.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import { meta, tempEventStore } from '../support/stores.js';
import { refusalOf } from '../support/refusal.js';

/** No read models here: seeded at 0, an allocator steps past the ids taken through conflicts. */
const fromZero = (): IdAllocator => new IdAllocator(async () => 0);

/** The state after `events`, then what `command` decides: its events, or the refusal code. */
function decide(events: RoomEvent[], command: RoomCommand): RoomEvent[] | string {
  const decision = roomDecider.decide(fold(roomDecider, events), command);
  return Array.isArray(decision) ? decision : (decision as { code: string }).code;
}

const created = (creator: number, members: number[], key: string | null = 'k'.repeat(16)) =>
  roomDecider.decide(roomDecider.initialState, {
    kind: 'create',
    roomId: 7,
    roomKind: 'group',
    name: 'g',
    creator,
    key,
    members,
    membersExist: true,
  }) as RoomEvent[];

describe('room aggregate', () => {
  it('creates a room with the creator and members once each, every creation event naming them all', () => {
    const events = created(3, [5, 3, 5, 1]);
    expect(events.map((event) => event.type)).to.deep.equal(['RoomCreated', 'RoomMemberJoined', 'RoomMemberJoined', 'RoomMemberJoined']);
    for (const event of events) expect(event.data.members).to.deep.equal([1, 3, 5]);
    expect(events.slice(1).map((event) => (event.data as { userId: number }).userId)).to.deep.equal([1, 3, 5]);
    const state: RoomState = fold(roomDecider, events);
    expect(state).to.include({ status: 'active', roomId: 7, creator: 3 });
  });

  it('lets only the creator add, remove, delete and rotate, and only members leave', () => {
    const room = created(1, [2]);
    expect(decide(room, { kind: 'add', by: 2, userId: 3, userExists: true })).to.equal('forbidden');
    expect(decide(room, { kind: 'remove', by: 2, userId: 1 })).to.equal('forbidden');
    expect(decide(room, { kind: 'delete', by: 2 })).to.equal('forbidden');
    expect(decide(room, { kind: 'rotate', by: 2, key: newRoomKey() })).to.equal('forbidden');
    expect(decide(room, { kind: 'leave', userId: 3 })).to.equal('not_a_member');
    expect(decide(room, { kind: 'add', by: 1, userId: 3, userExists: false })).to.equal('user_not_found');
    expect(decide(room, { kind: 'add', by: 1, userId: 2, userExists: true })).to.equal('already_member');
    const added = decide(room, { kind: 'add', by: 1, userId: 3, userExists: true }) as RoomEvent[];
    expect(added[0]?.data).to.include({ via: 'added', by: 1, userId: 3 });
    expect(added[0]?.data.members).to.deep.equal([1, 2, 3]);
    const left = decide(room, { kind: 'leave', userId: 2 }) as RoomEvent[];
    expect(left[0]?.data.members).to.deep.equal([1]);
  });

  it('joins with the right key only, once; after deletion nothing is possible', () => {
    const key = newRoomKey();
    const room = created(1, [], key);
    expect(decide(room, { kind: 'join', userId: 2, key: 'x'.repeat(16) })).to.equal('wrong_key');
    const joined = decide(room, { kind: 'join', userId: 2, key }) as RoomEvent[];
    expect(joined[0]?.data).to.include({ via: 'key', userId: 2 });
    expect(decide([...room, ...joined], { kind: 'join', userId: 2, key })).to.equal('already_member');
    const deleted = decide(room, { kind: 'delete', by: 1 }) as RoomEvent[];
    expect(deleted[0]?.data.members, 'a deletion names who was in').to.deep.equal([1]);
    expect(decide([...room, ...deleted], { kind: 'join', userId: 2, key })).to.equal('room_not_found');
    expect(decide([...room, ...deleted], { kind: 'delete', by: 1 })).to.equal('room_not_found');
    expect(decide(created(1, [], null), { kind: 'join', userId: 2, key: '' }), 'a room without a key').to.equal('wrong_key');
  });

  it('refuses names that are empty, longer than 64 characters or have control characters', () => {
    const create = (name: string) =>
      decide([], { kind: 'create', roomId: 1, roomKind: 'group', name, creator: 1, key: null, members: [], membersExist: true });
    for (const name of ['', '   ', 'x'.repeat(65), 'a\u0007b']) expect(create(name), JSON.stringify(name)).to.equal('invalid_name');
    expect(create('😀'.repeat(64))).to.be.an('array');
  });

  describe('with an event store', () => {
    let store: EventStore;
    let users: number[];
    beforeEach(async () => {
      store = await tempEventStore();
      const ids = fromZero();
      users = [];
      for (const login of ['ann', 'bob', 'cid'])
        users.push((await registerUser(store, ids, { name: login, login, phone: null, password: 'pw' }, {})).userId);
    });
    afterEach(() => store.close());

    it('finds one direct room for a pair, whichever side asks, from two allocators at once', async () => {
      const [ann, bob] = users as [number, number];
      const [a, b] = [fromZero(), fromZero()];
      const rooms = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? directRoom(store, a, ann, bob, {}) : directRoom(store, b, bob, ann, {}))),
      );
      expect(new Set(rooms.map((room) => room.roomId)).size).to.equal(1);
      const created = await store.readAll({ filter: { eventTypes: ['RoomCreated'] } });
      expect(created).to.have.length(1);
      expect(created[0]?.data).to.include({ kind: 'direct', roomId: rooms[0]?.roomId });
    });

    it('claims a fresh id when the claimed one went to another room, and creates a room a crash left unmade', async () => {
      const [ann, bob, cid] = users as [number, number, number];
      // Another process claimed id 1 for ann and bob, then died; meanwhile id 1 became a group.
      await store.append(
        directRoomStream(ann, bob),
        [{ type: 'DirectRoomClaimed', data: { roomId: 1, members: [ann, bob] }, metadata: meta }],
        { expectedRevision: 'no_stream' },
      );
      const group = await createGroup(store, fromZero(), { name: 'g', creator: cid, members: [], key: null }, {});
      expect(group.roomId).to.equal(1);
      const direct = await directRoom(store, fromZero(), ann, bob, {});
      expect(direct.roomId).not.to.equal(1);
      expect((await store.readStream(roomStream(direct.roomId)))[0]?.data).to.include({ kind: 'direct' });

      // A claim whose room was never created: the next call creates it under the claimed id.
      await store.append(
        directRoomStream(ann, cid),
        [{ type: 'DirectRoomClaimed', data: { roomId: 50, members: [ann, cid] }, metadata: meta }],
        { expectedRevision: 'no_stream' },
      );
      expect((await directRoom(store, fromZero(), cid, ann, {})).roomId).to.equal(50);
    });

    it('refuses a direct room with oneself or with an unknown user', async () => {
      const [ann] = users as [number];
      expect(await refusalOf(directRoom(store, fromZero(), ann, ann, {}))).to.equal('invalid_recipient');
      expect(await refusalOf(directRoom(store, fromZero(), ann, 999, {}))).to.equal('user_not_found');
      expect(await store.readAll({ filter: { eventTypes: ['DirectRoomClaimed'] } })).to.have.length(0);
    });

    it('gives concurrent groups from two allocators distinct ids; refuses unknown members and users', async () => {
      const [ann, bob] = users as [number, number];
      const [a, b] = [fromZero(), fromZero()];
      const groups = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          createGroup(store, i % 2 ? a : b, { name: `g${i}`, creator: ann, members: [bob], key: newRoomKey() }, {}),
        ),
      );
      expect(new Set(groups.map((group) => group.roomId)).size).to.equal(10);
      expect(await refusalOf(createGroup(store, a, { name: 'x', creator: ann, members: [999], key: null }, {}))).to.equal('user_not_found');
      expect(await refusalOf(addMember(store, { roomId: groups[0]!.roomId, by: ann, userId: 999 }, {}))).to.equal('user_not_found');
      expect(await refusalOf(joinRoom(store, { roomId: 12345, userId: bob, key: 'k' }, {}))).to.equal('room_not_found');
    });

    it('passes over an event of a type a newer version wrote in the room, and appends after it', async () => {
      const [ann, bob] = users as [number, number];
      const key = newRoomKey();
      const group = await createGroup(store, fromZero(), { name: 'g', creator: ann, members: [], key }, {});
      await store.append(roomStream(group.roomId), [{ type: 'RoomArchived', data: { roomId: group.roomId }, metadata: meta }]);
      const joined = await joinRoom(store, { roomId: group.roomId, userId: bob, key }, {});
      expect(joined.state.members).to.deep.equal([ann, bob]);
      const history = await store.readStream(roomStream(group.roomId));
      expect(history.map((event) => `${event.revision}:${event.type}`)).to.deep.equal([
        '0:RoomCreated',
        '1:RoomMemberJoined',
        '2:RoomArchived',
        '3:RoomMemberJoined',
      ]);
    });
  });
});
