import { pick, workerCount, type BenchOptions } from '../harness/bench-options.js';
import { BenchFailure, figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { describeErrors, mergeErrors } from '../harness/error-log.js';
import type { FanoutProtocol } from '../harness/fanout-protocol.js';
import { HttpClient, tokenCookie } from '../harness/http-client.js';
import { expectImSuccess } from '../harness/im-answer.js';
import { Samples } from '../harness/percentiles.js';
import { createUsers, type BenchUser } from '../harness/population.js';
import { fanoutWorkerMain } from '../harness/repo-paths.js';
import { startRelay } from '../harness/relay-process.js';
import { startServer } from '../harness/server-process.js';
import { WorkerPool } from '../harness/worker-pool.js';

/**
 * Two event loops read the 999 deliveries of a message in parallel, where one would queue
 * them: the last member's receipt does not wait for one client to have read all the others.
 */
const WORKERS = 2;

/** What the fan-out clients connect to: eschat with a real group, or the bare relay. */
interface FanoutTarget {
  imUrl: string;
  groupId: number;
  users: readonly BenchUser[];
  stop(): Promise<void>;
}

/**
 * One message at a time to a 1,000-member group whose members are all connected: the time
 * from the send until the last member has it, over 100 messages; then the same with the bare
 * relay sending one message to the same 999 sockets (same clients, same workers), in the same
 * run: its last-member times are the baseline. The members are spread over worker processes;
 * each receipt is stamped where it arrives and the send where it leaves, on one system-wide
 * clock (`nowMs`).
 */
export const fanoutBench: Bench = {
  name: 'fanout',
  async run(options) {
    const members = pick(options, 1000, 200);
    const messages = pick(options, 100, 20);
    const eschat = await measure(await eschatGroup(options, members), options, messages);
    const relay = await measure(await relayGroup(options, members), options, messages);
    return [
      figure('fanout', 'last member receives p50', eschat.percentile(50) / 1000, 'ms', relay.percentile(50) / 1000),
      figure('fanout', 'last member receives p99', eschat.percentile(99) / 1000, 'ms', relay.percentile(99) / 1000, {
        op: '<=',
        limit: 2,
        of: 'ratio',
      }),
      figure('fanout', 'members connected', members, 'members', members),
    ];
  },
};

/** eschat in its own process, `members` users through its API, one group of them all. */
async function eschatGroup(options: BenchOptions, members: number): Promise<FanoutTarget> {
  const server = await startServer({ tls: options.tls, profileDir: options.profileDir });
  const http = new HttpClient(server.httpUrl);
  try {
    const users = await createUsers(http, members);
    const groupId = await createGroup(http, users);
    return { imUrl: server.imUrl, groupId, users, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    http.close();
  }
}

/** The bare relay: anyone signs in as anyone, and every signed-in socket is in its one group. */
async function relayGroup(options: BenchOptions, members: number): Promise<FanoutTarget> {
  const relay = await startRelay(options.tls);
  const users = Array.from({ length: members }, (_, i) => ({ id: i + 1, token: 'none', phone: '' }));
  return { imUrl: relay.imUrl, groupId: 1, users, stop: () => relay.stop() };
}

/** Connects the members in fresh workers, fans `messages` messages out one by one: the last member's times, in microseconds. */
async function measure(target: FanoutTarget, options: BenchOptions, messages: number): Promise<Samples> {
  const workers = WorkerPool.start<FanoutProtocol>(fanoutWorkerMain, workerCount(options, WORKERS), 'fanout clients');
  try {
    const [creator, ...receivers] = target.users as [BenchUser, ...BenchUser[]];
    await workers.all('connect', (worker) => ({
      imUrl: target.imUrl,
      groupId: target.groupId,
      creator,
      sends: worker === 0,
      members: receivers.filter((_, i) => i % workers.size === worker),
      messages,
    }));
    const times = new Samples();
    for (let seq = 0; seq < messages; seq++) times.add((await fanOut(workers, seq, receivers.length)) * 1000);
    return times;
  } finally {
    await workers.close();
    await target.stop();
  }
}

/**
 * Message `seq` from the creator (in worker 0) to every member: ms from its send until the
 * last member had it. Every worker is asked for the round before the send, but a receipt
 * that comes first is kept all the same.
 */
async function fanOut(workers: WorkerPool<FanoutProtocol>, seq: number, receivers: number): Promise<number> {
  const rounds = workers.all('round', () => seq);
  const [reports, sent] = await Promise.all([rounds, workers.request(0, 'send', seq)]);
  const received = reports.reduce((sum, report) => sum + report.received, 0);
  const errors = mergeErrors([...reports.map((report) => report.errors), sent.errors]);
  if (received !== receivers || !sent.acknowledged || errors.count > 0) {
    const why = [sent.acknowledged ? '' : 'no [[a]]', describeErrors(errors)].filter(Boolean).join('; ');
    throw new BenchFailure(`fanout message ${seq}: ${received}/${receivers} members received it${why ? `; ${why}` : ''}`);
  }
  return Math.max(...reports.map((report) => report.lastAt)) - sent.sentAt;
}

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
