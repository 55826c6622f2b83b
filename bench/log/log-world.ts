import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { contactStream } from '../../src/events/contact.js';
import { mediaStream } from '../../src/events/media.js';
import { messageStream, type MessageKind } from '../../src/events/message.js';
import type { EventMetadata, NewEvent } from '../../src/events/recorded-event.js';
import { directRoomStream, roomStream, type RoomKind } from '../../src/events/room.js';
import { sessionStream } from '../../src/events/session.js';
import { phoneReservationStream, userStream } from '../../src/events/user.js';
import { chatText, type SeededRandom } from './seeded-random.js';

/** One append: events of one stream, as a command writes them. */
export interface Append {
  stream: string;
  events: NewEvent[];
}

interface Session {
  sessionId: string;
  token: string;
  device: string;
  live: boolean;
}

export interface Room {
  roomId: number;
  kind: RoomKind;
  creator: number;
  key: string | null;
  /** Sorted, as the domain keeps them. */
  members: number[];
  messages: number;
  lastText: string;
}

/** The token of the n-th session: derived, so a benchmark can sign in with it without storing it. */
export function tokenOf(n: number): string {
  const hex = createHash('sha256').update(`bench session ${n}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const sorted = (ids: Iterable<number>): number[] => [...new Set(ids)].sort((a, b) => a - b);
const DEVICES = ['android', 'ios', 'web', 'desktop'];
const ADDRESSES = ['203.0.113.7', '198.51.100.23', '192.0.2.44', '::ffff:203.0.113.90'];

/**
 * The state of a generated world and the events that change it, in exactly the shapes and
 * metadata eschat's commands write (src/commands/*.ts, metadataFor): a user registering claims
 * a phone, a session starts per device, contacts are asked and answered, a direct room is
 * claimed then created with its two joins, messages go to day streams.
 */
export class LogWorld {
  readonly rooms: Room[] = [];
  readonly directRooms: Room[] = [];
  readonly groups: Room[] = [];
  /** Sessions started, by user (index = user id). */
  private readonly sessions: Session[][] = [[]];
  private readonly contacts = new Map<string, 'requested' | 'contacts' | 'removed'>();
  readonly contactsOf: Array<{ added: Set<number>; removed: Set<number> }> = [{ added: new Set(), removed: new Set() }];
  private sessionCount = 0;
  liveSessions = 0;
  messages = 0;
  pendingRequests = 0;
  contactDocuments = 0;
  private at: number;

  constructor(
    private readonly random: SeededRandom,
    start: Date,
    private readonly passwordHash: string,
  ) {
    this.at = start.getTime();
  }

  get users(): number {
    return this.sessions.length - 1;
  }

  /** Time moves a few seconds per event: the log spans weeks, messages land in many day streams. */
  private metadata(actor?: number): EventMetadata {
    this.at += this.random.int(0, 6000);
    const metadata: EventMetadata = { correlationId: randomUUID(), at: new Date(this.at).toISOString() };
    const session = actor === undefined ? undefined : this.sessions[actor]?.findLast((each) => each.live);
    if (actor !== undefined) metadata.actor = actor;
    if (session) Object.assign(metadata, { device: session.device, session: session.sessionId });
    metadata.address = this.random.pick(ADDRESSES);
    return metadata;
  }

  registerUser(): Append[] {
    const userId = this.sessions.length;
    this.sessions.push([]);
    this.contactsOf.push({ added: new Set(), removed: new Set() });
    const phone = String(13_000_000_000 + userId);
    const metadata = this.metadata();
    return [
      {
        stream: phoneReservationStream(phone),
        events: [{ type: 'ValueClaimed', data: { value: phone, userId, claimedAt: Date.parse(metadata.at) }, metadata }],
      },
      {
        stream: userStream(userId),
        events: [
          {
            type: 'UserRegistered',
            data: { userId, name: `user ${userId}`, login: null, phone, passwordHash: this.passwordHash, avatar: '' },
            metadata,
          },
        ],
      },
    ];
  }

  /** A sign-in; returns the append and the session's token. */
  startSession(userId: number): { append: Append; token: string } {
    const token = tokenOf(this.sessionCount++);
    const sessionId = randomUUID();
    const device = this.random.pick(DEVICES);
    const metadata = this.metadata();
    Object.assign(metadata, { actor: userId, device, session: sessionId });
    const data = {
      sessionId,
      tokenHash: createHash('sha256').update(token).digest('hex'),
      userId,
      device,
      dialect: 'im',
      address: metadata.address ?? null,
    };
    this.sessions[userId]!.push({ sessionId, token, device, live: true });
    this.liveSessions += 1;
    return { append: { stream: sessionStream(sessionId), events: [{ type: 'SessionStarted', data, metadata }] }, token };
  }

  /** The token of the user's newest live session (every user keeps one: only an older one is ever ended). */
  liveToken(userId: number): string {
    const session = this.sessions[userId]?.findLast((each) => each.live);
    if (!session) throw new Error(`user ${userId} has no live session`);
    return session.token;
  }

  /** Logs out the user's oldest live session, if it has one besides its newest. */
  endSession(userId: number): Append[] {
    const live = this.sessions[userId]!.filter((session) => session.live);
    const oldest = live.length > 1 ? live[0] : undefined;
    if (!oldest) return [];
    const metadata = this.metadata(userId);
    oldest.live = false;
    this.liveSessions -= 1;
    return [
      {
        stream: sessionStream(oldest.sessionId),
        events: [{ type: 'SessionEnded', data: { sessionId: oldest.sessionId, userId, reason: 'logout' }, metadata }],
      },
    ];
  }

  /** `from` asks `to`; nothing when anything already stands between them. */
  requestContact(from: number, to: number): Append[] {
    const key = contactStream(from, to);
    if (from === to || this.contacts.has(key)) return [];
    this.contacts.set(key, 'requested');
    this.pendingRequests += 1;
    return [{ stream: key, events: [{ type: 'ContactRequested', data: { from, to, ask: 'hi, add me?' }, metadata: this.metadata(from) }] }];
  }

  answerContact(from: number, to: number, accept: boolean): Append[] {
    const key = contactStream(from, to);
    if (this.contacts.get(key) !== 'requested') return [];
    this.pendingRequests -= 1;
    const metadata = this.metadata(to);
    if (!accept) {
      this.contacts.delete(key);
      return [{ stream: key, events: [{ type: 'ContactDeclined', data: { by: to, requester: from }, metadata }] }];
    }
    this.contacts.set(key, 'contacts');
    this.contactDocuments += 2;
    this.contactsOf[from]!.added.add(to);
    this.contactsOf[to]!.added.add(from);
    return [{ stream: key, events: [{ type: 'ContactAccepted', data: { by: to, requester: from }, metadata }] }];
  }

  deleteContact(by: number, other: number): Append[] {
    const key = contactStream(by, other);
    if (this.contacts.get(key) !== 'contacts') return [];
    this.contacts.set(key, 'removed');
    for (const [owner, contact] of [
      [by, other],
      [other, by],
    ] as const) {
      this.contactsOf[owner]!.added.delete(contact);
      this.contactsOf[owner]!.removed.add(contact);
    }
    return [{ stream: key, events: [{ type: 'ContactDeleted', data: { by, other }, metadata: this.metadata(by) }] }];
  }

  /** The pair's direct room, as a first 1:1 message creates it: the claim, then the room. */
  directRoom(a: number, b: number): Append[] {
    const roomId = this.rooms.length + 1;
    const members = sorted([a, b]);
    const metadata = this.metadata(a);
    const room: Room = { roomId, kind: 'direct', creator: a, key: null, members, messages: 0, lastText: '' };
    this.rooms.push(room);
    this.directRooms.push(room);
    return [
      { stream: directRoomStream(a, b), events: [{ type: 'DirectRoomClaimed', data: { roomId, members }, metadata }] },
      { stream: roomStream(roomId), events: this.creation(roomId, 'direct', null, a, null, members, metadata) },
    ];
  }

  group(creator: number, invited: readonly number[]): Append[] {
    const roomId = this.rooms.length + 1;
    const members = sorted([creator, ...invited]);
    const key = randomBytes(12).toString('base64url');
    const room: Room = { roomId, kind: 'group', creator, key, members, messages: 0, lastText: '' };
    this.rooms.push(room);
    this.groups.push(room);
    return [
      {
        stream: roomStream(roomId),
        events: this.creation(roomId, 'group', `group ${roomId}`, creator, key, members, this.metadata(creator)),
      },
    ];
  }

  private creation(
    roomId: number,
    kind: RoomKind,
    name: string | null,
    creator: number,
    key: string | null,
    members: number[],
    metadata: EventMetadata,
  ): NewEvent[] {
    const joins = members.map((userId) => ({
      type: 'RoomMemberJoined',
      data: { roomId, userId, via: 'creation', by: creator, kind, members },
      metadata,
    }));
    return [{ type: 'RoomCreated', data: { roomId, kind, name, creator, key, members }, metadata }, ...joins];
  }

  joinGroup(room: Room, userId: number): Append[] {
    if (room.members.includes(userId)) return [];
    room.members = sorted([...room.members, userId]);
    const data = { roomId: room.roomId, userId, via: 'key', by: userId, kind: 'group', members: room.members };
    return [{ stream: roomStream(room.roomId), events: [{ type: 'RoomMemberJoined', data, metadata: this.metadata(userId) }] }];
  }

  leaveGroup(room: Room, userId: number): Append[] {
    if (userId === room.creator || !room.members.includes(userId)) return [];
    room.members = room.members.filter((id) => id !== userId);
    const data = { roomId: room.roomId, userId, kind: 'group', members: room.members };
    return [{ stream: roomStream(room.roomId), events: [{ type: 'RoomMemberLeft', data, metadata: this.metadata(userId) }] }];
  }

  /** A text from one of the room's members, or a media message with its upload before it. */
  message(room: Room, media: boolean): Append[] {
    const sender = this.random.pick(room.members);
    const uploads: Append[] = [];
    let mediaId: string | null = null;
    let kind: MessageKind = 'text';
    if (media) {
      mediaId = randomUUID();
      kind = this.random.pick(['image', 'audio', 'video'] as const);
      const data = {
        mediaId,
        owner: sender,
        kind,
        contentType: kind === 'image' ? 'image/jpeg' : kind === 'audio' ? 'audio/mp4' : 'video/mp4',
        size: this.random.int(10_000, 5_000_000),
        sha256: randomBytes(32).toString('hex'),
      };
      uploads.push({ stream: mediaStream(mediaId), events: [{ type: 'MediaUploaded', data, metadata: this.metadata(sender) }] });
    }
    const metadata = this.metadata(sender);
    const text = media ? null : chatText(this.random);
    room.messages += 1;
    room.lastText = text ?? '';
    this.messages += 1;
    const data = { roomId: room.roomId, sender, device: metadata.device ?? 'android', clientId: `a_${this.messages}`, kind, text, mediaId };
    return [...uploads, { stream: messageStream(room.roomId, new Date(metadata.at)), events: [{ type: 'MessageSent', data, metadata }] }];
  }
}
