import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Position, UserId } from '../events/recorded-event.js';
import { EventTypes } from '../events/event-types.js';
import {
  directRoomEventTypes,
  directRoomStream,
  roomEventTypes,
  roomStream,
  type DirectRoomClaimed,
  type RoomEvent,
  type RoomId,
  type RoomKind,
} from '../events/room.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { CommandContext } from './command-context.js';
import { handleCommand } from './command-handler.js';
import { CommandRefused, Refusal, fold, type Decider } from './decider.js';
import type { RoomRefusal } from './refusal-code.js';
import type { IdAllocator } from './id-allocator.js';
import { uncarriable } from './text-rules.js';
import { userExists } from './user.js';

export interface RoomState {
  status: 'none' | 'active' | 'deleted';
  roomId: RoomId;
  kind: RoomKind;
  creator: UserId;
  key: string | null;
  /** Sorted by id. */
  members: UserId[];
}

/**
 * Facts from outside the room stream (does that user exist?) come with the command, looked up
 * before deciding (see createGroup, addMember), as the decider is pure.
 */
export type RoomCommand =
  | {
      kind: 'create';
      roomId: RoomId;
      roomKind: RoomKind;
      name: string | null;
      creator: UserId;
      key: string | null;
      members: readonly UserId[];
      membersExist: boolean;
    }
  | { kind: 'join'; userId: UserId; key: string }
  | { kind: 'add'; by: UserId; userId: UserId; userExists: boolean }
  | { kind: 'leave'; userId: UserId }
  | { kind: 'remove'; by: UserId; userId: UserId }
  | { kind: 'delete'; by: UserId }
  | { kind: 'rotate'; by: UserId; key: string };

export const MAX_ROOM_NAME = 64;

const refuse = (code: RoomRefusal | 'id_taken'): Refusal => new Refusal(code);
const sorted = (ids: Iterable<UserId>): UserId[] => [...new Set(ids)].sort((a, b) => a - b);

/** A group's invite key: 16 base64url characters (96 random bits), as long as simple_im's g_key. */
export function newRoomKey(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * A room's rules, checked against its own history: only members leave, only the creator
 * adds, removes, deletes and rotates the key, and a direct room keeps its two members for
 * good (it is the pair's conversation: nobody joins, leaves or deletes it).
 */
export const roomDecider: Decider<RoomState, RoomCommand, RoomEvent> = {
  eventTypes: new EventTypes<RoomEvent>(roomEventTypes),
  initialState: { status: 'none', roomId: 0, kind: 'group', creator: 0, key: null, members: [] },
  evolve(state, event) {
    switch (event.type) {
      case 'RoomCreated':
        return {
          status: 'active',
          roomId: event.data.roomId,
          kind: event.data.kind,
          creator: event.data.creator,
          key: event.data.key,
          members: event.data.members,
        };
      case 'RoomKeyRotated':
        return { ...state, key: event.data.key, members: event.data.members };
      case 'RoomDeleted':
        return { ...state, status: 'deleted' };
      default:
        return { ...state, members: event.data.members };
    }
  },
  decide(state, command) {
    if (command.kind === 'create') return decideCreate(state, command);
    if (state.status !== 'active') return refuse('room_not_found');
    const { roomId, kind, members } = state;
    switch (command.kind) {
      case 'join':
        if (state.key === null || !sameKey(state.key, command.key)) return refuse('wrong_key');
        if (members.includes(command.userId)) return refuse('already_member');
        return [
          {
            type: 'RoomMemberJoined',
            data: { roomId, userId: command.userId, via: 'key', by: command.userId, kind, members: sorted([...members, command.userId]) },
          },
        ];
      case 'add':
        if (command.by !== state.creator || kind === 'direct') return refuse('forbidden');
        if (!command.userExists) return refuse('user_not_found');
        if (members.includes(command.userId)) return refuse('already_member');
        return [
          {
            type: 'RoomMemberJoined',
            data: { roomId, userId: command.userId, via: 'added', by: command.by, kind, members: sorted([...members, command.userId]) },
          },
        ];
      case 'leave':
        if (!members.includes(command.userId)) return refuse('not_a_member');
        if (kind === 'direct') return refuse('forbidden');
        return [
          {
            type: 'RoomMemberLeft',
            data: { roomId, userId: command.userId, kind, members: members.filter((id) => id !== command.userId) },
          },
        ];
      case 'remove':
        if (command.by !== state.creator || kind === 'direct') return refuse('forbidden');
        if (!members.includes(command.userId)) return refuse('not_a_member');
        return [
          {
            type: 'RoomMemberRemoved',
            data: { roomId, userId: command.userId, by: command.by, kind, members: members.filter((id) => id !== command.userId) },
          },
        ];
      case 'delete':
        if (command.by !== state.creator || kind === 'direct') return refuse('forbidden');
        return [{ type: 'RoomDeleted', data: { roomId, by: command.by, kind, members } }];
      case 'rotate':
        if (command.by !== state.creator || kind === 'direct') return refuse('forbidden');
        return [{ type: 'RoomKeyRotated', data: { roomId, key: command.key, by: command.by, kind, members } }];
    }
  },
};

// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const CONTROL = /[\u0000-\u001f\u007f]/;

function decideCreate(state: RoomState, command: Extract<RoomCommand, { kind: 'create' }>): RoomEvent[] | Refusal {
  const { roomId, roomKind: kind, name, creator, key } = command;
  if (name !== null && (name.trim().length === 0 || [...name].length > MAX_ROOM_NAME || CONTROL.test(name) || uncarriable(name)))
    return refuse('invalid_name');
  if (!command.membersExist) return refuse('user_not_found');
  if (state.status !== 'none') return refuse('id_taken');
  const members = sorted([creator, ...command.members]);
  const created: RoomEvent = { type: 'RoomCreated', data: { roomId, kind, name, creator, key, members } };
  // Every initial member is in once the append is applied, so each join names them all.
  const joins: RoomEvent[] = members.map((userId) => ({
    type: 'RoomMemberJoined',
    data: { roomId, userId, via: 'creation', by: creator, kind, members },
  }));
  return [created, ...joins];
}

function sameKey(expected: string, given: string): boolean {
  const [a, b] = [Buffer.from(expected), Buffer.from(given)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What a room command did: the room's state after it, and the position readers wait for. */
export interface RoomResult {
  roomId: RoomId;
  state: RoomState;
  /** Position of the last event appended. */
  position: Position;
}

async function onRoom(
  store: EventStore,
  roomId: RoomId,
  command: RoomCommand | ((state: RoomState) => Promise<RoomCommand>),
  context: CommandContext,
): Promise<RoomResult> {
  const result = await handleCommand(store, roomStream(roomId), roomDecider, command, context);
  return { roomId, state: result.state, position: result.position ?? 0 };
}

async function allExist(store: EventStore, users: readonly UserId[]): Promise<boolean> {
  return (await Promise.all(users.map((id) => userExists(store, id)))).every(Boolean);
}

export interface NewGroup {
  /** Null for the unnamed rooms of `POST /v1/rooms`. */
  name: string | null;
  creator: UserId;
  /** Besides the creator, who is always in. */
  members: readonly UserId[];
  /** Null: nobody joins by key until the creator rotates one in. */
  key: string | null;
}

/** Creates a group room with a fresh id. Refusals: `invalid_name`, `user_not_found`. */
export async function createGroup(store: EventStore, ids: IdAllocator, group: NewGroup, context: CommandContext): Promise<RoomResult> {
  const membersExist = await allExist(store, group.members);
  for (;;) {
    const roomId = await ids.next();
    const created = await tryCreate(store, { kind: 'create', roomId, roomKind: 'group', ...group, membersExist }, context);
    if (created) return created;
    ids.conflicted();
  }
}

/** The room, or null when its id was taken meanwhile (another process offered the same one). */
async function tryCreate(
  store: EventStore,
  command: Extract<RoomCommand, { kind: 'create' }>,
  context: CommandContext,
): Promise<RoomResult | null> {
  try {
    return await onRoom(store, command.roomId, command, context);
  } catch (error) {
    if (error instanceof CommandRefused && error.code === 'id_taken') return null;
    throw error;
  }
}

interface ClaimState {
  roomId: RoomId | null;
}
type ClaimCommand = { roomId: RoomId; members: [UserId, UserId]; replacing: RoomId | null };

/** The claim stream of a pair: its last claim names the pair's room. */
const claimDecider: Decider<ClaimState, ClaimCommand, DirectRoomClaimed> = {
  eventTypes: new EventTypes<DirectRoomClaimed>(directRoomEventTypes),
  initialState: { roomId: null },
  evolve: (_state, event) => ({ roomId: event.data.roomId }),
  // Another writer claimed (or re-claimed) first: theirs stands.
  decide: (state, command) =>
    state.roomId !== command.replacing ? [] : [{ type: 'DirectRoomClaimed', data: { roomId: command.roomId, members: command.members } }],
};

const MAX_DIRECT_ATTEMPTS = 10;

/**
 * The direct room of two users, created on first use: `POST /v1/rooms` with one other user and
 * a 1:1 im message land in the same room, whichever comes first and from whichever process.
 * The pair's claim stream (`direct-<low>-<high>`, first append expecting no stream) names the
 * room; the room is then created under that id. A crash between the two is repaired by the
 * next call, and an id another process gave to another room meanwhile is claimed afresh.
 * Wait for `position` before reading the room. Refusals: `invalid_recipient` (a == b),
 * `user_not_found`.
 */
export async function directRoom(
  store: EventStore,
  ids: IdAllocator,
  a: UserId,
  b: UserId,
  context: CommandContext,
): Promise<{ roomId: RoomId; position: Position }> {
  if (a === b) throw new CommandRefused(refuse('invalid_recipient'));
  const pair: [UserId, UserId] = [Math.min(a, b), Math.max(a, b)];
  const claims = directRoomStream(a, b);
  for (let attempt = 1; attempt <= MAX_DIRECT_ATTEMPTS; attempt++) {
    const claimed = fold(claimDecider, (await store.readStream(claims)).filter(claimDecider.eventTypes.has)).roomId;
    if (claimed === null) {
      if (!(await allExist(store, pair))) throw new CommandRefused(refuse('user_not_found'));
      await handleCommand(store, claims, claimDecider, { roomId: await ids.next(), members: pair, replacing: null }, context);
      continue;
    }
    const history = await store.readStream(roomStream(claimed));
    const room = fold(roomDecider, history.filter(roomDecider.eventTypes.has));
    const last = history.at(-1);
    if (room.status === 'none') {
      const created = await tryCreate(
        store,
        { kind: 'create', roomId: claimed, roomKind: 'direct', name: null, creator: a, key: null, members: [b], membersExist: true },
        context,
      );
      if (created) return { roomId: claimed, position: created.position };
    } else if (last && isDirectRoomOf(room, pair)) {
      return { roomId: claimed, position: last.position };
    } else {
      ids.conflicted();
      await handleCommand(store, claims, claimDecider, { roomId: await ids.next(), members: pair, replacing: claimed }, context);
    }
  }
  throw new Error(`no direct room for users ${pair.join(' and ')} after ${MAX_DIRECT_ATTEMPTS} attempts`);
}

function isDirectRoomOf(room: RoomState, [low, high]: [UserId, UserId]): boolean {
  return room.kind === 'direct' && room.members.length === 2 && room.members[0] === low && room.members[1] === high;
}

/** `userId` joins with the group's key. Refusals: `room_not_found`, `wrong_key`, `already_member`. */
export function joinRoom(
  store: EventStore,
  join: { roomId: RoomId; userId: UserId; key: string },
  context: CommandContext,
): Promise<RoomResult> {
  return onRoom(store, join.roomId, { kind: 'join', userId: join.userId, key: join.key }, context);
}

/** The creator adds `userId`. Refusals: `room_not_found`, `forbidden`, `user_not_found`, `already_member`. */
export function addMember(
  store: EventStore,
  add: { roomId: RoomId; by: UserId; userId: UserId },
  context: CommandContext,
): Promise<RoomResult> {
  return onRoom(
    store,
    add.roomId,
    async () => ({ kind: 'add', by: add.by, userId: add.userId, userExists: await userExists(store, add.userId) }),
    context,
  );
}

/** Refusals: `room_not_found`, `not_a_member`, `forbidden` (a direct room). */
export function leaveRoom(store: EventStore, leave: { roomId: RoomId; userId: UserId }, context: CommandContext): Promise<RoomResult> {
  return onRoom(store, leave.roomId, { kind: 'leave', userId: leave.userId }, context);
}

/** The creator removes `userId`. Refusals: `room_not_found`, `forbidden`, `not_a_member`. */
export function removeMember(
  store: EventStore,
  remove: { roomId: RoomId; by: UserId; userId: UserId },
  context: CommandContext,
): Promise<RoomResult> {
  return onRoom(store, remove.roomId, { kind: 'remove', by: remove.by, userId: remove.userId }, context);
}

/** Refusals: `room_not_found`, `forbidden`. */
export function deleteRoom(store: EventStore, remove: { roomId: RoomId; by: UserId }, context: CommandContext): Promise<RoomResult> {
  return onRoom(store, remove.roomId, { kind: 'delete', by: remove.by }, context);
}

/** The creator replaces the invite key; the new one is in the result's state. Refusals: `room_not_found`, `forbidden`. */
export function rotateRoomKey(store: EventStore, rotate: { roomId: RoomId; by: UserId }, context: CommandContext): Promise<RoomResult> {
  return onRoom(store, rotate.roomId, { kind: 'rotate', by: rotate.by, key: newRoomKey() }, context);
}
