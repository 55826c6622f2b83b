import type { TomlFrame } from '../../src/codecs/toml-frame.js';
import { pick } from '../harness/bench-options.js';
import { BenchFailure, figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { mapBounded } from '../harness/bounded-pool.js';
import { HttpClient, tokenCookie } from '../harness/http-client.js';
import { expectImSuccess } from '../harness/im-answer.js';
import { ImSocket } from '../harness/im-socket.js';
import { Samples } from '../harness/percentiles.js';
import { createUsers, type BenchUser } from '../harness/population.js';
import { startServer } from '../harness/server-process.js';
import { waitUntil } from '../harness/wait-until.js';

const CONNECT_CONCURRENCY = 50;

/** One group message: who got it, and when the last one did. */
interface Round {
  seq: number;
  sentAt: number;
  received: Set<number>;
  lastAt: number;
  acknowledged: boolean;
}

/**
 * One message at a time to a 1,000-member group whose members are all connected: the time
 * from the send until the last member has it, over 100 messages. No baseline: the relay has
 * no groups, and the figure is an absolute bound.
 */
export const fanoutBench: Bench = {
  name: 'fanout',
  async run(options) {
    const members = pick(options, 1000, 200);
    const messages = pick(options, 100, 20);
    const server = await startServer({ tls: options.tls, profileDir: options.profileDir });
    const http = new HttpClient(server.httpUrl);
    const sockets: ImSocket[] = [];
    try {
      const users = await createUsers(http, members);
      const groupId = await createGroup(http, users);
      const errors: string[] = [];
      const round: Round = { seq: -1, sentAt: 0, received: new Set(), lastAt: 0, acknowledged: true };
      const receivers = users.slice(1);
      sockets.push(...(await connectMembers(server.imUrl, users, round, groupId, errors)));
      const senderSocket = sockets[0]!;
      const times = new Samples();
      for (let seq = 0; seq < messages; seq++) {
        Object.assign(round, { seq, sentAt: performance.now(), received: new Set(), lastAt: 0, acknowledged: false });
        senderSocket.send('gm', { id: String(seq), c: `fanout ${seq}`, g_id: groupId });
        const done = await waitUntil(() => errors.length > 0 || (round.acknowledged && round.received.size === receivers.length), 10_000, 1);
        if (!done || errors.length > 0) throw new BenchFailure(`fanout message ${seq}: ${round.received.size}/${receivers.length} members received it${round.acknowledged ? '' : ', no [[a]]'}; ${errors.slice(0, 5).join('; ')}`);
        times.add((round.lastAt - round.sentAt) * 1000);
      }
      return [
        figure('fanout', 'last member receives p50', times.percentile(50) / 1000, 'ms', null),
        figure('fanout', 'last member receives p99', times.percentile(99) / 1000, 'ms', null, { op: '<=', limit: 20, of: 'value' }),
        figure('fanout', 'members connected', receivers.length + 1, 'members', null),
      ];
    } finally {
      for (const socket of sockets) socket.close();
      http.close();
      await server.stop();
    }
  },
};

/** `POST /group` by the first user with everyone else as members: one request, one append. */
async function createGroup(http: HttpClient, users: readonly BenchUser[]): Promise<number> {
  const [creator, ...others] = users as [BenchUser, ...BenchUser[]];
  const members = others.map((user) => String(user.id));
  const answer = expectImSuccess(await http.postForm('/group', { name: 'fanout', members }, tokenCookie(creator.token)), 'POST /group');
  const group = answer.response['group'] as Record<string, unknown> | undefined;
  const id = Number(group?.['id']);
  if (!Number.isInteger(id)) throw new BenchFailure(`POST /group answered no group id: ${JSON.stringify(answer.response)}`);
  return id;
}

/** Logs every member in; each counts its receipt of the current round's message, exactly once. */
async function connectMembers(imUrl: string, users: readonly BenchUser[], round: Round, groupId: number, errors: string[]): Promise<ImSocket[]> {
  const creator = users[0]!.id;
  return mapBounded(users, CONNECT_CONCURRENCY, async (user, index) => {
    const socket = await ImSocket.open(imUrl);
    socket.onFrame = (frame) => (index === 0 ? onSenderFrame(socket, frame, round, errors) : onMemberFrame(socket, user.id, frame, round, { creator, groupId }, errors));
    await socket.login(user.id, user.token, 'bench');
    return socket;
  });
}

function onMemberFrame(socket: ImSocket, member: number, frame: TomlFrame, round: Round, group: { creator: number; groupId: number }, errors: string[]): void {
  socket.ack(frame);
  // The group's creation is replayed at login as a notification: acknowledged, not counted.
  if (frame.type === 'n') return;
  const { id, c, g_id: gid, from } = frame.fields;
  if (frame.type !== 'gm' || id !== String(round.seq) || c !== `fanout ${round.seq}` || gid !== group.groupId || from !== group.creator) {
    errors.push(`member ${member} got an unexpected frame: ${frame.type} ${JSON.stringify(frame.fields)}`);
  } else if (round.received.has(member)) {
    errors.push(`member ${member} got message ${round.seq} twice`);
  } else {
    round.received.add(member);
    round.lastAt = performance.now();
  }
}

function onSenderFrame(socket: ImSocket, frame: TomlFrame, round: Round, errors: string[]): void {
  if (frame.type === 'n') return socket.ack(frame);
  if (frame.type === 'a' && frame.fields['id'] === String(round.seq) && !round.acknowledged) round.acknowledged = true;
  else errors.push(`the sender got an unexpected frame: ${frame.type} ${JSON.stringify(frame.fields)}`);
}
