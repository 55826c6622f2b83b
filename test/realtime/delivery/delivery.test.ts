import { expect } from 'chai';
import type { ImClient } from '../../support/im-client.js';
import { deleteOffline, getOffline } from '../../support/offline.js';
import { imOverTls, imOverWebSocket } from '../../support/realtime.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { imUser, v1User, type TestUser } from '../../support/users.js';
import { V1Socket } from '../../support/v1-socket.js';

const USERS = 50;
const GROUPS = 5;
const MESSAGES = 10_000;

/** A small deterministic PRNG, so a failure can be replayed with the printed seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Participant {
  user: TestUser;
  dialect: 'im-ws' | 'im-tls' | 'v1';
  groups: number[];
  /** Message ids (positions) received, in order of first receipt, per room. */
  received: Map<number, number[]>;
  /** The same for what came through GET /offline (im-tls). */
  fetched: Map<number, number[]>;
  seen: Set<number>;
  acked: Set<number>;
  duplicatesAfterAck: number[];
  connection: ImClient | V1Socket | null;
  /** False once the test started closing the connection: acks sent after that may never arrive. */
  live: { open: boolean };
  /** Server acknowledgements awaited by client id (im senders). */
  awaiting: Map<string, (mid: number) => void>;
}

describe('delivery under reconnects: 50 clients, both dialects, 10,000 messages', function () {
  this.timeout(180_000);
  let t: TestServer;
  after(() => t?.stop());

  it('reaches every recipient device once acknowledged, never again, in order within each room', async () => {
    const seed = Number(process.env['ESCHAT_SEED'] ?? Date.now() % 100_000);
    const random = prng(seed);
    t = await startTestServer({ ESCHAT_LOGIN_FAILURES: '100000' });
    const participants: Participant[] = [];
    for (let i = 0; i < USERS; i++) {
      const dialect = (['im-ws', 'im-tls', 'v1'] as const)[i % 3]!;
      const user = dialect === 'v1' ? await v1User(t, `user${i}`) : await imUser(t, `user${i}`, `86130000${String(i).padStart(5, '0')}`);
      participants.push({
        user,
        dialect,
        groups: [],
        received: new Map(),
        fetched: new Map(),
        seen: new Set(),
        acked: new Set(),
        duplicatesAfterAck: [],
        connection: null,
        live: { open: false },
        awaiting: new Map(),
      });
    }
    const groupIds: number[] = [];
    for (let g = 0; g < GROUPS; g++) {
      const members = participants.filter((_, i) => i % GROUPS === g || (i + 1) % GROUPS === g);
      const [owner, ...rest] = members;
      const created = await t.client.json('POST', '/v1/groups', { name: `g${g}`, members: rest.map((m) => m.user.id) }, owner!.user.token);
      const id = (created.body as { id: number }).id;
      groupIds.push(id);
      for (const member of members) member.groups.push(id);
    }

    const onMessage = (p: Participant, room: number, mid: number, into = p.received) => {
      if (p.acked.has(mid)) p.duplicatesAfterAck.push(mid);
      if (p.seen.has(mid)) return;
      p.seen.add(mid);
      const list = into.get(room) ?? [];
      list.push(mid);
      into.set(room, list);
    };
    const connect = async (p: Participant) => {
      const live = { open: true };
      p.live = live;
      if (p.dialect === 'v1') {
        const socket = await V1Socket.open(t, '/v1/stream?device=tab', p.user.token);
        socket.onFrame = (received) => {
          const frame = received as { type: string; cursor: number; message?: { room_id: number } };
          if (frame.type !== 'message' || !frame.message) return;
          onMessage(p, frame.message.room_id, frame.cursor);
          if (!live.open) return;
          socket.send({ ack: frame.cursor });
          p.acked.add(frame.cursor);
        };
        p.connection = socket;
      } else {
        const client = p.dialect === 'im-ws' ? await imOverWebSocket(t, p.user, 'dev') : await imOverTls(t, p.user, 'dev');
        client.onFrame = (frame) => {
          if (frame.type === 'a') p.awaiting.get(String(frame.fields['id']))?.(frame.fields['mid'] as number);
          if (frame.type !== 'gm') return;
          const mid = frame.fields['mid'] as number;
          onMessage(p, frame.fields['g_id'] as number, mid);
          if (!live.open) return;
          client.ack(frame, 'dev');
          p.acked.add(mid);
        };
        p.connection = client;
        if (p.dialect === 'im-tls') {
          // As simple_im's client: what arrived while away comes through GET /offline, ended by DELETE /offline.
          const waiting = (await getOffline(t, p.user.token)).filter((frame) => frame.type === 'gm');
          for (const frame of waiting) onMessage(p, frame.fields['g_id'] as number, frame.fields['mid'] as number, p.fetched);
          await deleteOffline(t, p.user.token);
          for (const frame of waiting) p.acked.add(frame.fields['mid'] as number);
        }
      }
    };
    for (const p of participants) await connect(p);

    const sent = new Map<number, number>(); // mid -> room
    /** Messages sent over IM: their sending device does not receive them back. */
    const ownSends = new Set<number>();
    const sender = new Map<number, Participant>();
    /** v1 users send over HTTP; im users over their IM connection, retrying the same id until acknowledged. */
    const sendOne = async (p: Participant, n: number): Promise<void> => {
      const room = p.groups[n % p.groups.length]!;
      if (p.dialect === 'v1') {
        const answer = await t.client.json('POST', `/v1/rooms/${room}/messages`, { text: `m${n}`, client_id: `c${n}` }, p.user.token);
        expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
        sent.set((answer.body as { id: number }).id, room);
        return;
      }
      for (;;) {
        const client = p.connection as ImClient | null;
        if (!client || client.closed) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          continue;
        }
        const mid = await new Promise<number | null>((resolve) => {
          const timer = setTimeout(() => resolve(null), 2000);
          p.awaiting.set(`c${n}`, (acked) => {
            clearTimeout(timer);
            resolve(acked);
          });
          client.send('gm', { id: `c${n}`, c: `m${n}`, g_id: room, d: 'dev' });
        });
        p.awaiting.delete(`c${n}`);
        if (mid === null) continue;
        sent.set(mid, room);
        ownSends.add(mid);
        sender.set(mid, p);
        return;
      }
    };
    let reconnects = 0;
    let sending = true;
    const churn = (async () => {
      while (sending) {
        const p = participants[Math.floor(random() * participants.length)]!;
        p.live.open = false;
        p.connection?.close();
        p.connection = null;
        await new Promise((resolve) => setTimeout(resolve, 5 + random() * 40));
        await connect(p);
        reconnects++;
      }
    })();
    const senders = participants.map(async (p, index) => {
      for (let n = index; n < MESSAGES; n += participants.length) await sendOne(p, n);
    });
    await Promise.all(senders);
    sending = false;
    await churn;

    const expectedFor = (p: Participant) =>
      [...sent].filter(([mid, room]) => p.groups.includes(room) && !(ownSends.has(mid) && sender.get(mid) === p)).map(([mid]) => mid);
    const deadline = Date.now() + 60_000;
    const expected = new Map(participants.map((p) => [p, expectedFor(p)]));
    const complete = (p: Participant) => expected.get(p)!.every((mid) => p.seen.has(mid));
    while (!participants.every(complete) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));

    let deliveries = 0;
    for (const p of participants) {
      const got = [...p.received.values(), ...p.fetched.values()].flat().sort((a, b) => a - b);
      const want = expected.get(p)!.sort((a, b) => a - b);
      const missing = want.filter((mid) => !p.seen.has(mid));
      const extra = got.filter((mid) => !want.includes(mid));
      expect({ missing, extra }, `user ${p.user.id} (${p.dialect}), seed ${seed}`).to.deep.equal({ missing: [], extra: [] });
      expect(got).to.deep.equal(want);
      expect(p.duplicatesAfterAck, `redelivered after ack to user ${p.user.id}, seed ${seed}`).to.deep.equal([]);
      // In order within each room, on the socket and in GET /offline each (live frames may come before what GET fetches).
      for (const [room, mids] of [...p.received, ...p.fetched])
        expect(mids, `order in room ${room} for user ${p.user.id}, seed ${seed}`).to.deep.equal([...mids].sort((a, b) => a - b));
      deliveries += got.length;
      p.connection?.close();
    }
    expect(sent.size).to.equal(MESSAGES);
    console.log(`      delivery: ${MESSAGES} messages, ${deliveries} deliveries, ${reconnects} reconnects, seed ${seed}`);
  });
});
