import { expect } from 'chai';
import { sendMessage } from '../../src/commands/message.js';
import { sendGuard } from './read-model-send-guard.js';
import { seededRandom, type Random } from '../codecs/im/random.js';
import { v1Send } from './rooms.js';
import type { TestServer } from './test-server.js';
import { imUser, v1User, type TestUser } from './users.js';

export interface WorkloadShape {
  users: number;
  contactOperations: number;
  groups: number;
  /** Changes to each group after its creation: joins, adds, leaves, removals, key rotations. */
  changesPerGroup: number;
  /** Messages in all, a few over HTTP between changes, the rest through the server's own command. */
  messages: number;
  seed?: number;
}

export interface WorkloadUser extends TestUser {
  /** The login (v1) or name (im) it registered with. */
  handle: string;
}

/** A room right after one change, as the workload itself recorded it (never read back from the server). */
export interface RoomSnapshot {
  /** The log's head right after the change: the position of its last event. */
  position: number;
  /** A time after the change and before anything later was recorded. */
  time: string;
  kind: 'direct' | 'group';
  name: string | null;
  /** Sorted by id. */
  members: number[];
  deleted: boolean;
}

export interface WorkloadMessage {
  id: number;
  roomId: number;
  sender: number;
  text: string;
}

export interface Workload {
  users: WorkloadUser[];
  /** Every room, with a snapshot after each change to it, oldest first. */
  rooms: Map<number, RoomSnapshot[]>;
  messages: WorkloadMessage[];
  /** Requests, answers and removals of contacts done. */
  contactOperations: number;
  /** The log's head once everything was done and the read models had it. */
  head: number;
}

const sorted = (ids: Iterable<number>): number[] => [...ids].sort((a, b) => a - b);

/**
 * Drives a chat workload through a running server, in the order a real one would happen:
 * people register (both dialects) and sign in on more devices, ask each other to be contacts
 * and answer, open direct rooms, create groups whose membership then changes while people
 * talk, then send messages in bulk. Every room change is recorded with its position and time,
 * so tests can ask the log what a room was at any of those moments and know the answer.
 */
export async function runWorkload(t: TestServer, shape: WorkloadShape): Promise<Workload> {
  const random = seededRandom(shape.seed ?? 7);
  const run = new WorkloadRun(t, random);
  await run.register(shape.users);
  await run.contacts(shape.contactOperations);
  await run.directRooms();
  for (let group = 0; group < shape.groups; group++) await run.group(group, shape.changesPerGroup);
  await run.bulkMessages(shape.messages);
  await run.deleteLastGroup();
  const head = await t.server.store.headPosition();
  expect(await t.server.runner.waitFor(head, 30_000)).to.equal(true);
  return { users: run.users, rooms: run.rooms, messages: run.messages, contactOperations: run.contactOperations, head };
}

class WorkloadRun {
  readonly users: WorkloadUser[] = [];
  readonly rooms = new Map<number, RoomSnapshot[]>();
  readonly messages: WorkloadMessage[] = [];
  contactOperations = 0;
  private readonly members = new Map<number, Set<number>>();
  private readonly groups: Array<{ id: number; creator: WorkloadUser; key: string }> = [];

  constructor(
    private readonly t: TestServer,
    private readonly random: Random,
  ) {}

  async register(count: number): Promise<void> {
    // A quarter register through im, the rest through v1; every tenth signs in on a second device.
    for (let i = 0; i < count; i++) {
      const handle = i < count - Math.floor(count / 4) ? `w${String(i).padStart(2, '0')}` : `im${i}`;
      const user = handle.startsWith('im')
        ? await imUser(this.t, handle, `8613${String(i).padStart(7, '0')}`)
        : await v1User(this.t, handle);
      this.users.push({ ...user, handle });
      if (i % 10 === 0 && !handle.startsWith('im')) {
        const second = await this.t.client.json('POST', '/v1/login', { login: handle, password: 'pw', device: 'tablet' });
        expect(second.status).to.equal(200);
      }
    }
  }

  /** Requests and their answers, and removals, each one valid for the pair's state at the time. */
  async contacts(operations: number): Promise<void> {
    const pairs = new Map<string, { state: 'none' | 'asked' | 'contacts'; from: WorkloadUser; to: WorkloadUser }>();
    while (this.contactOperations < operations) {
      const [a, b] = this.twoUsers();
      const key = `${Math.min(a.id, b.id)}:${Math.max(a.id, b.id)}`;
      const pair = pairs.get(key) ?? { state: 'none', from: a, to: b };
      pairs.set(key, pair);
      if (pair.state === 'none') {
        await this.ok('POST', `/v1/contacts/${pair.to.id}`, pair.from, { ask: `hello from ${pair.from.handle}` });
        pair.state = 'asked';
      } else if (pair.state === 'asked') {
        const answer = this.random.int(3);
        if (answer === 0) await this.ok('PUT', `/v1/contacts/${pair.from.id}`, pair.to);
        else
          await this.ok(
            'DELETE',
            answer === 1 ? `/v1/contacts/${pair.from.id}` : `/v1/contacts/${pair.to.id}`,
            answer === 1 ? pair.to : pair.from,
          );
        pair.state = answer === 0 ? 'contacts' : 'none';
      } else {
        await this.ok('DELETE', `/v1/contacts/${pair.to.id}`, pair.from);
        pair.state = 'none';
      }
      this.contactOperations += 1;
    }
  }

  async directRooms(): Promise<void> {
    for (let i = 0; i + 1 < Math.min(this.users.length, 6); i += 2) {
      const [a, b] = [this.users[i]!, this.users[i + 1]!];
      const room = (await this.ok('POST', '/v1/rooms', a, { users: [{ id: b.id }] })) as { id: number };
      this.members.set(room.id, new Set([a.id, b.id]));
      await this.record(room.id, 'direct', null, false);
    }
  }

  async group(index: number, changes: number): Promise<void> {
    const creator = this.users[index % this.users.length]!;
    const initial = this.others(new Set([creator.id])).slice(0, 2);
    const name = `group ${index}`;
    const room = (await this.ok('POST', '/v1/groups', creator, { name, members: initial.map((user) => user.id) })) as {
      id: number;
      key: string;
    };
    const group = { id: room.id, creator, key: room.key };
    this.groups.push(group);
    this.members.set(room.id, new Set([creator.id, ...initial.map((user) => user.id)]));
    await this.record(room.id, 'group', name, false);
    for (let change = 0; change < changes; change++) {
      await this.talk(room.id, 1 + this.random.int(3));
      await this.changeGroup(group);
      await this.record(room.id, 'group', name, false);
    }
  }

  /** One membership or key change, valid for the group as it is now. */
  private async changeGroup(group: { id: number; creator: WorkloadUser; key: string }): Promise<void> {
    const members = this.members.get(group.id)!;
    const outsiders = this.others(members);
    const insiders = this.users.filter((user) => members.has(user.id) && user.id !== group.creator.id);
    const kind = this.random.int(5);
    const path = `/v1/rooms/${group.id}`;
    if ((kind === 0 || insiders.length === 0) && outsiders.length > 0) {
      const joiner = outsiders[0]!;
      await this.ok('POST', `${path}/members`, joiner, { key: group.key });
      members.add(joiner.id);
    } else if (kind === 1 && outsiders.length > 0) {
      const added = outsiders[0]!;
      await this.ok('POST', `${path}/members`, group.creator, { user_id: added.id });
      members.add(added.id);
    } else if (kind === 2 && insiders.length > 0) {
      const leaver = insiders[0]!;
      await this.ok('DELETE', `${path}/members/me`, leaver);
      members.delete(leaver.id);
    } else if (kind === 3 && insiders.length > 0) {
      const removed = insiders.at(-1)!;
      await this.ok('DELETE', `${path}/members/${removed.id}`, group.creator);
      members.delete(removed.id);
    } else {
      group.key = ((await this.ok('POST', `${path}/key`, group.creator)) as { key: string }).key;
    }
  }

  /** Messages over HTTP by the room's current members, between changes. */
  private async talk(roomId: number, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const sender = this.random.pick(this.users.filter((user) => this.members.get(roomId)!.has(user.id)));
      const text = `talk ${this.messages.length} in ${roomId}`;
      const answer = await v1Send(this.t, sender, roomId, text);
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      this.messages.push({ id: (answer.body as { id: number }).id, roomId, sender: sender.id, text });
    }
  }

  /** The rest of the messages through the server's own send command, several at a time. */
  async bulkMessages(total: number): Promise<void> {
    const rooms = [...this.members.keys()];
    const { store, runner } = this.t.server;
    const send = async (): Promise<void> => {
      const roomId = this.random.pick(rooms);
      const sender = this.random.pick([...this.members.get(roomId)!]);
      const text = `bulk ${this.messages.length} from ${sender}`;
      const placeholder: WorkloadMessage = { id: 0, roomId, sender, text };
      this.messages.push(placeholder);
      const send = { roomId, sender, device: 'bulk', clientId: null, kind: 'text' as const, text, mediaId: null };
      placeholder.id = (
        await sendMessage(store, sendGuard(runner), send, { actor: sender, device: 'bulk' }, { reusedClientId: 'new_message' })
      ).position;
    };
    const workers = Array.from({ length: 16 }, async () => {
      while (this.messages.length < total) await send();
    });
    await Promise.all(workers);
    this.messages.sort((a, b) => a.id - b.id);
  }

  async deleteLastGroup(): Promise<void> {
    const group = this.groups.at(-1);
    if (!group) return;
    await this.ok('DELETE', `/v1/rooms/${group.id}`, group.creator);
    await this.record(group.id, 'group', this.rooms.get(group.id)![0]!.name, true);
  }

  private async record(roomId: number, kind: RoomSnapshot['kind'], name: string | null, deleted: boolean): Promise<void> {
    const position = await this.t.server.store.headPosition();
    const time = Date.now();
    const snapshots = this.rooms.get(roomId) ?? [];
    snapshots.push({ position, time: new Date(time).toISOString(), kind, name, members: sorted(this.members.get(roomId)!), deleted });
    this.rooms.set(roomId, snapshots);
    // Whatever comes next is recorded in a later millisecond than this snapshot's time.
    while (Date.now() <= time) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  private twoUsers(): [WorkloadUser, WorkloadUser] {
    const a = this.random.pick(this.users);
    const b = this.random.pick(this.users.filter((user) => user !== a));
    return [a, b];
  }

  private others(excluded: ReadonlySet<number>): WorkloadUser[] {
    const others = this.users.filter((user) => !excluded.has(user.id));
    // A deterministic shuffle, so each run of a seed makes the same choices.
    return others
      .map((user) => ({ user, order: this.random.int(1_000_000) }))
      .sort((a, b) => a.order - b.order)
      .map(({ user }) => user);
  }

  private async ok(method: string, path: string, user: TestUser, body?: unknown): Promise<unknown> {
    const answer = await this.t.client.json(method, path, body, user.token);
    expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).to.equal(200);
    return answer.body;
  }
}
