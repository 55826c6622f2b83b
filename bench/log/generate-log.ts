import { hashPassword } from '../../src/commands/password.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import type { LogManifest, SampleRoom, SampleUser } from './log-manifest.js';
import { LogWorld, tokenOf, type Append, type Room } from './log-world.js';
import { SeededRandom } from './seeded-random.js';

/** Events per append burst: one transaction, one sync, for the whole burst. */
const BURST_EVENTS = 20_000;
const EVENTS_PER_USER = 100;
const START = new Date('2026-01-05T08:00:00Z');
/** The user `startup` signs in as: never logged out, so its first session stays live. */
const PROBE_USER = 1;
/** Users and rooms the manifest describes for `scale`, spread evenly over the ids. */
const SAMPLES = 100;

/** Collects appends and writes them to the store in big bursts. */
class BurstWriter {
  private pending: Append[] = [];
  private pendingEvents = 0;
  /** Events handed to the writer, written or about to be. */
  added = 0;

  constructor(private readonly store: SqliteEventStore) {}

  async add(appends: readonly Append[]): Promise<void> {
    for (const append of appends) {
      this.pending.push(append);
      this.pendingEvents += append.events.length;
      this.added += append.events.length;
    }
    if (this.pendingEvents >= BURST_EVENTS) await this.flush();
  }

  async flush(): Promise<void> {
    const burst = this.pending;
    this.pending = [];
    this.pendingEvents = 0;
    // Appended without awaiting one another: the store commits them all in one transaction.
    await Promise.all(burst.map((append) => this.store.append(append.stream, append.events)));
  }
}

/**
 * Writes a log of about `events` events into `file` as eschat's commands would have, over
 * weeks: users register and sign in, ask each other to be contacts and answer, open direct
 * rooms and groups, and then mostly talk (a few per cent media), while groups gain and lose
 * members and sessions come and go. Returns what a rebuild must find in it.
 */
export async function generateLog(file: string, events: number): Promise<LogManifest> {
  const random = new SeededRandom(20260105);
  const world = new LogWorld(random, START, await hashPassword('bench-password'));
  const store = SqliteEventStore.open({ file, durability: 'normal' });
  const writer = new BurstWriter(store);
  try {
    const users = Math.max(50, Math.round(events / EVENTS_PER_USER));
    for (let i = 0; i < users; i++) {
      await writer.add(world.registerUser());
      await writer.add([world.startSession(world.users).append]);
    }
    await befriend(world, writer, random);
    await openGroups(world, writer, random);
    while (writer.added < events) await writer.add(everyday(world, random));
    await writer.flush();
  } finally {
    await store.close();
  }
  return manifestOf(world, writer.added);
}

/** Each user asks four others; most say yes, and half the new contacts open a direct room. */
async function befriend(world: LogWorld, writer: BurstWriter, random: SeededRandom): Promise<void> {
  const asked: Array<[number, number]> = [];
  for (let from = 1; from <= world.users; from++) {
    for (let i = 0; i < 4; i++) {
      const to = random.int(1, world.users);
      const appends = world.requestContact(from, to);
      if (appends.length > 0) asked.push([from, to]);
      await writer.add(appends);
    }
  }
  for (const [from, to] of asked) {
    if (random.chance(0.05)) continue;
    const accepted = random.chance(0.9);
    await writer.add(world.answerContact(from, to, accepted));
    if (accepted && (from === PROBE_USER || to === PROBE_USER || random.chance(0.5))) await writer.add(world.directRoom(from, to));
    else if (accepted && random.chance(0.05)) await writer.add(world.deleteContact(to, from));
  }
}

/** One group per ten users, of 3 to 30 members. */
async function openGroups(world: LogWorld, writer: BurstWriter, random: SeededRandom): Promise<void> {
  for (let i = 0; i < world.users / 10; i++) {
    const members = Array.from({ length: random.int(2, 29) }, () => random.int(1, world.users));
    await writer.add(world.group(random.int(1, world.users), members));
  }
}

/** Some rooms are far busier than others: a squared uniform favours the first ones. */
function busyRoom(rooms: readonly Room[], random: SeededRandom): Room {
  const r = random.next();
  return rooms[Math.floor(r * r * rooms.length)] as Room;
}

/** One thing that happens on an ordinary day: mostly a message. */
function everyday(world: LogWorld, random: SeededRandom): Append[] {
  const roll = random.next();
  const user = random.int(1, world.users);
  if (roll < 0.004) return world.joinGroup(random.pick(world.groups), user);
  if (roll < 0.006) return world.leaveGroup(random.pick(world.groups), user);
  if (roll < 0.008) return [world.startSession(user).append];
  if (roll < 0.009) return user === PROBE_USER ? [] : world.endSession(user);
  const room = random.chance(0.7) ? busyRoom(world.directRooms, random) : busyRoom(world.groups, random);
  return world.message(room, roll < 0.015);
}

function manifestOf(world: LogWorld, events: number): LogManifest {
  const probeRoom = world.directRooms.filter((room) => room.members.includes(PROBE_USER)).sort((a, b) => b.messages - a.messages)[0];
  if (!probeRoom) throw new Error('the generated log has no direct room for its probe user');
  const probeContacts = world.contactsOf[PROBE_USER]!;
  return {
    events,
    documents: {
      users: world.users,
      sessions: world.liveSessions,
      rooms: world.rooms.length,
      messages: world.messages,
      contacts: world.contactDocuments,
      requests: world.pendingRequests,
    },
    probe: {
      userId: PROBE_USER,
      // The first session started in the log is the probe user's.
      token: tokenOf(0),
      contacts: probeContacts.added.size,
      removedContacts: probeContacts.removed.size,
      roomId: probeRoom.roomId,
      roomMessages: probeRoom.messages,
      lastText: probeRoom.lastText,
    },
    sample: { users: sampleUsers(world), rooms: sampleRooms(world) },
  };
}

/** Evenly spread over 1..n, `count` of them at most, without repeats. */
function spread(n: number, count: number): number[] {
  return [...new Set(Array.from({ length: Math.min(n, count) }, (_, k) => 1 + Math.floor((k * n) / Math.min(n, count))))];
}

function sampleUsers(world: LogWorld): SampleUser[] {
  return spread(world.users, SAMPLES).map((userId) => ({
    userId,
    token: world.liveToken(userId),
    contacts: world.contactsOf[userId]!.added.size,
    removedContacts: world.contactsOf[userId]!.removed.size,
  }));
}

/** Rooms with members (a group may have lost all but its creator, never the creator), busy ones (the first) and quiet ones. */
function sampleRooms(world: LogWorld): SampleRoom[] {
  return spread(world.rooms.length, SAMPLES).map((id) => {
    const room = world.rooms[id - 1]!;
    return { roomId: room.roomId, token: world.liveToken(room.members[0]!), messages: room.messages, lastText: room.lastText };
  });
}
