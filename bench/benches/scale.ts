import { rmSync } from 'node:fs';
import { pick, type BenchOptions } from '../harness/bench-options.js';
import { BenchFailure, figure, type Figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { HttpClient, type HttpAnswer } from '../harness/http-client.js';
import { askContacts, askHistory, checkContacts, checkHistory } from '../harness/log-probe.js';
import { Samples } from '../harness/percentiles.js';
import { residentBytes } from '../harness/process-memory.js';
import type { ServerProcess } from '../harness/server-process.js';
import { timedStart } from '../harness/timed-start.js';
import { cachedLog } from '../log/cached-log.js';
import { servedDataDir } from '../log/served-data-dir.js';
import type { SampleRoom, SampleUser } from '../log/log-manifest.js';

const MIB = 1024 * 1024;
/** Requests of each kind timed one at a time, after the start. */
const REQUESTS = 2000;
/** The mixed load: how long, and how many clients of each kind (sends, history reads, contact syncs) run at once. */
const LOAD_SECONDS = 30;
const LOAD_CLIENTS = 2;
/** Every tenth sampled room takes the load's sends; the others keep the answers the manifest says. */
const SEND_ROOM_EVERY = 10;

/** What one log measured. */
interface Scaled {
  label: string;
  events: number;
  startSeconds: number;
  builtSeconds: number;
  servingMiB: number;
  loadedMiB: number;
  history: Samples;
  contacts: Samples;
  /** Requests the mixed load completed, each answer checked. */
  load: { sends: number; histories: number; contacts: number; seconds: number };
}

/**
 * The embedded default on logs of 1,000,000 and 5,000,000 events (generated and cached, each
 * with the `read-models.db` a first start built from it, see cached-read-models.ts): start to
 * serving, resident memory once serving and after a 30 s mixed load (sends, history reads,
 * contact syncs), and the latency of history (`GET /v1/rooms/:id/messages`) and contact sync
 * (`GET /contact/version/0`) one request at a time. The 5M figures stand beside the 1M ones:
 * what grows with the history. Every answer is checked against the generator's manifest.
 */
export const scaleBench: Bench = {
  name: 'scale',
  async run(options) {
    const [small, large] = pick(options, [1_000_000, 5_000_000], [100_000, 200_000]);
    const base = await measure(small, options);
    const grown = await measure(large, options);
    return [...absolute(base), ...absolute(grown), ...ratios(grown, base)];
  },
};

async function measure(events: number, options: BenchOptions): Promise<Scaled> {
  const log = await cachedLog(events);
  const label = events >= 1_000_000 ? `${events / 1_000_000}M` : `${events / 1000}k`;
  const { dataDir, readModels } = await servedDataDir(log, options, 'eschat-bench-scale-');
  try {
    const { server, seconds, residentMiB } = await timedStart(
      { dataDir, tls: options.tls, profileDir: options.profileDir },
      log.manifest,
      `scale ${label}`,
    );
    try {
      const { users, rooms } = log.manifest.sample;
      const readRooms = rooms.filter((_, i) => i % SEND_ROOM_EVERY !== 0);
      const sendRooms = rooms.filter((_, i) => i % SEND_ROOM_EVERY === 0);
      const http = new HttpClient(server.httpUrl);
      const requests = pick(options, REQUESTS, 200);
      let history: Samples;
      let contacts: Samples;
      try {
        history = await timed(requests, (i) => readRooms[i % readRooms.length]!, askHistory, checkHistory, http, `scale ${label}`);
        contacts = await timed(requests, (i) => users[i % users.length]!, askContacts, checkContacts, http, `scale ${label}`);
      } finally {
        http.close();
      }
      const load = await mixedLoad(server, { users, readRooms, sendRooms }, pick(options, LOAD_SECONDS, 5), `scale ${label}`);
      return {
        label,
        events,
        startSeconds: seconds,
        builtSeconds: readModels.built.seconds,
        servingMiB: residentMiB,
        loadedMiB: residentBytes(server.pid) / MIB,
        history,
        contacts,
        load,
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `count` requests one after another, each timed alone (microseconds) and its answer checked. */
async function timed<S>(
  count: number,
  subject: (i: number) => S,
  ask: (http: HttpClient, subject: S) => Promise<HttpAnswer>,
  check: (subject: S, answer: HttpAnswer, what: string) => void,
  http: HttpClient,
  what: string,
): Promise<Samples> {
  const samples = new Samples();
  for (let i = 0; i < count; i++) {
    const each = subject(i);
    const started = process.hrtime.bigint();
    const answer = await ask(http, each);
    samples.add(Number(process.hrtime.bigint() - started) / 1000);
    check(each, answer, what);
  }
  return samples;
}

interface LoadSubjects {
  users: readonly SampleUser[];
  readRooms: readonly SampleRoom[];
  sendRooms: readonly SampleRoom[];
}

/**
 * For `seconds`, LOAD_CLIENTS clients of each kind, each on its own connection, one request
 * after another: senders (`POST /v1/rooms/:id/messages`, each to rooms of its own, every answer
 * the message sent), history readers and contact syncs (every answer what the log says; the
 * rooms read are never sent to). Afterwards, each room sent to must end with its last send.
 */
async function mixedLoad(server: ServerProcess, subjects: LoadSubjects, seconds: number, what: string): Promise<Scaled['load']> {
  const started = performance.now();
  const until = started + seconds * 1000;
  const lastSent = new Map<number, string>();
  const counts = { sends: 0, histories: 0, contacts: 0 };
  const client = async (work: (http: HttpClient, n: number) => Promise<void>): Promise<void> => {
    const http = new HttpClient(server.httpUrl);
    try {
      for (let n = 0; performance.now() < until; n++) await work(http, n);
    } finally {
      http.close();
    }
  };
  const clients: Array<Promise<void>> = [];
  for (let c = 0; c < LOAD_CLIENTS; c++) {
    const mine = subjects.sendRooms.filter((_, i) => i % LOAD_CLIENTS === c);
    clients.push(
      client(async (http, n) => {
        const room = mine[n % mine.length]!;
        const text = `scale load ${c} ${n}`;
        const answer = await http.postJson(
          `/v1/rooms/${room.roomId}/messages`,
          { text, client_id: `scale-${c}-${n}` },
          {
            'x-session-id': room.token,
          },
        );
        const sent = answer.status === 200 ? (JSON.parse(answer.body) as { text: string; room_id: number }) : null;
        if (sent?.text !== text || sent.room_id !== room.roomId)
          throw new BenchFailure(`${what}: POST /v1/rooms/${room.roomId}/messages answered ${answer.status}: ${answer.body.slice(0, 200)}`);
        lastSent.set(room.roomId, text);
        counts.sends += 1;
      }),
      client(async (http, n) => {
        const room = subjects.readRooms[(n * LOAD_CLIENTS + c) % subjects.readRooms.length]!;
        checkHistory(room, await askHistory(http, room), what);
        counts.histories += 1;
      }),
      client(async (http, n) => {
        const user = subjects.users[(n * LOAD_CLIENTS + c) % subjects.users.length]!;
        checkContacts(user, await askContacts(http, user), what);
        counts.contacts += 1;
      }),
    );
  }
  await Promise.all(clients);
  const elapsed = (performance.now() - started) / 1000;
  const http = new HttpClient(server.httpUrl);
  try {
    for (const room of subjects.sendRooms) {
      const text = lastSent.get(room.roomId);
      if (text === undefined) throw new BenchFailure(`${what}: nothing was sent to room ${room.roomId} during the load`);
      const answer = await askHistory(http, room);
      const page = answer.status === 200 ? (JSON.parse(answer.body) as Array<{ text: string | null }>) : [];
      if (page.at(-1)?.text !== text)
        throw new BenchFailure(`${what}: room ${room.roomId} does not end with its last send "${text}": ${answer.body.slice(-200)}`);
    }
  } finally {
    http.close();
  }
  return { ...counts, seconds: elapsed };
}

/** One log's own figures, with the absolute targets of BENCHMARKS.md. */
function absolute(s: Scaled): Figure[] {
  const at = `(${s.label})`;
  const rate = (n: number): number => n / s.load.seconds;
  return [
    figure('scale', `start to serving ${at}`, s.startSeconds, 's', null, { op: '<=', limit: 1, of: 'value' }),
    figure('scale', `server memory once serving ${at}`, s.servingMiB, 'MiB', null, { op: '<=', limit: 256, of: 'value' }),
    figure('scale', `server memory after the mixed load ${at}`, s.loadedMiB, 'MiB', null, { op: '<=', limit: 256, of: 'value' }),
    figure('scale', `history p50 ${at}`, s.history.percentile(50), 'us', null),
    figure('scale', `history p99 ${at}`, s.history.percentile(99), 'us', null),
    figure('scale', `contact sync p50 ${at}`, s.contacts.percentile(50), 'us', null),
    figure('scale', `contact sync p99 ${at}`, s.contacts.percentile(99), 'us', null),
    figure('scale', `mixed load: sends ${at}`, rate(s.load.sends), 'req/s', null),
    figure('scale', `mixed load: history reads ${at}`, rate(s.load.histories), 'req/s', null),
    figure('scale', `mixed load: contact syncs ${at}`, rate(s.load.contacts), 'req/s', null),
    figure('scale', `first start, building read-models.db (when cached) ${at}`, s.builtSeconds, 's', null),
  ];
}

/** The larger log's figures against the smaller's: what grows with the history (target: <= 1.3 each). */
function ratios(grown: Scaled, base: Scaled): Figure[] {
  const at = `${grown.label}/${base.label}`;
  const row = (metric: string, value: number, baseline: number, unit: string): Figure =>
    figure('scale', `${metric} ${at}`, value, unit, baseline, { op: '<=', limit: 1.3, of: 'ratio' });
  return [
    row('start to serving', grown.startSeconds, base.startSeconds, 's'),
    row('server memory once serving', grown.servingMiB, base.servingMiB, 'MiB'),
    row('server memory after the mixed load', grown.loadedMiB, base.loadedMiB, 'MiB'),
    row('history p50', grown.history.percentile(50), base.history.percentile(50), 'us'),
    row('history p99', grown.history.percentile(99), base.history.percentile(99), 'us'),
    row('contact sync p50', grown.contacts.percentile(50), base.contacts.percentile(50), 'us'),
    row('contact sync p99', grown.contacts.percentile(99), base.contacts.percentile(99), 'us'),
  ];
}
