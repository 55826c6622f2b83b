import autocannon from 'autocannon';
import { pick, type BenchOptions } from '../harness/bench-options.js';
import { BenchFailure, figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { mapBounded } from '../harness/bounded-pool.js';
import { HttpClient, tokenCookie } from '../harness/http-client.js';
import { expectImSuccess } from '../harness/im-answer.js';
import { createUsers, type BenchUser } from '../harness/population.js';
import { startServer } from '../harness/server-process.js';

const CONTACTS = 100;
const MESSAGES = 200;
const PAGE = 50;
const CONNECTIONS = 10;
const SETUP_CONCURRENCY = 8;

/** A route under load, with the answer every request must get. */
interface LoadedRoute {
  metric: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * autocannon on two read routes with realistic data behind them — a contact list of 100
 * (`GET /contact/version/0`, im, cookie) and the newest page of a 200-message room
 * (`GET /v1/rooms/:id/messages`, v1, X-Session-Id) — against `GET /health` on the same
 * server. Every answer must be exactly the one checked before the load.
 */
export const httpBench: Bench = {
  name: 'http',
  async run(options) {
    const server = await startServer({ tls: options.tls, profileDir: options.profileDir });
    const http = new HttpClient(server.httpUrl);
    try {
      const users = await createUsers(http, CONTACTS + 1);
      const [owner, ...friends] = users as [BenchUser, ...BenchUser[]];
      await befriend(http, owner, friends);
      const roomId = await talk(http, owner, friends[0]!);
      const routes: LoadedRoute[] = [
        { metric: 'GET /health', path: '/health', headers: {}, body: await checkHealth(http) },
        {
          metric: 'GET /contact/version/0',
          path: '/contact/version/0',
          headers: tokenCookie(owner.token),
          body: await checkContacts(http, owner, friends),
        },
        {
          metric: 'GET /v1/rooms/:id/messages',
          path: `/v1/rooms/${roomId}/messages`,
          headers: { 'x-session-id': owner.token },
          body: await checkMessages(http, owner, roomId),
        },
      ];
      const rates: number[] = [];
      for (const route of routes) rates.push(await load(server.httpUrl, route, options));
      const [trivial, contacts, messages] = rates as [number, number, number];
      return [
        figure('http', 'GET /health (trivial)', trivial, 'req/s', null),
        figure('http', 'GET /contact/version/0 (100 contacts)', contacts, 'req/s', trivial, { op: '>=', limit: 0.5, of: 'ratio' }),
        figure('http', 'GET /v1/rooms/:id/messages (50 of 200)', messages, 'req/s', trivial, { op: '>=', limit: 0.5, of: 'ratio' }),
      ];
    } finally {
      http.close();
      await server.stop();
    }
  },
};

/** Each friend is asked by the owner (`POST /contact/:id`) and accepts (`PUT /contact/:id`). */
async function befriend(http: HttpClient, owner: BenchUser, friends: readonly BenchUser[]): Promise<void> {
  await mapBounded(friends, SETUP_CONCURRENCY, async (friend) => {
    expectImSuccess(await http.postForm(`/contact/${friend.id}`, { ask: 'hi' }, tokenCookie(owner.token)), `POST /contact/${friend.id}`);
    expectImSuccess(await http.postForm(`/contact/${owner.id}`, {}, tokenCookie(friend.token), 'PUT'), `PUT /contact/${owner.id}`);
  });
}

const textOf = (n: number): string => `message ${n}: see you at the station at ${n % 24}:00`;

/** The direct room of the owner and a friend (`POST /v1/rooms`), and 200 messages in turn, in order. */
async function talk(http: HttpClient, owner: BenchUser, friend: BenchUser): Promise<number> {
  const created = await http.postJson('/v1/rooms', { users: [{ id: friend.id }] }, { 'x-session-id': owner.token });
  const roomId = created.status === 200 ? Number((JSON.parse(created.body) as { id?: number }).id) : NaN;
  if (!Number.isInteger(roomId))
    throw new BenchFailure(`http: POST /v1/rooms answered HTTP ${created.status}: ${created.body.slice(0, 200)}`);
  for (let n = 0; n < MESSAGES; n++) {
    const sender = n % 2 === 0 ? owner : friend;
    const sent = await http.postJson(
      `/v1/rooms/${roomId}/messages`,
      { text: textOf(n), client_id: `c${n}` },
      { 'x-session-id': sender.token },
    );
    if (sent.status !== 200)
      throw new BenchFailure(`http: POST /v1/rooms/${roomId}/messages answered HTTP ${sent.status}: ${sent.body.slice(0, 200)}`);
  }
  return roomId;
}

async function checkHealth(http: HttpClient): Promise<string> {
  const answer = await http.get('/health');
  expectImSuccess(answer, 'http: GET /health');
  return answer.body;
}

/** Every friend, and nobody else, in the owner's contact list. */
async function checkContacts(http: HttpClient, owner: BenchUser, friends: readonly BenchUser[]): Promise<string> {
  const answer = await http.get('/contact/version/0', tokenCookie(owner.token));
  const { response, rows } = expectImSuccess(answer, 'http: GET /contact/version/0');
  const ids = rows
    .filter((row) => row.type === 'user')
    .map((row) => Number(row.fields['id']))
    .sort((a, b) => a - b);
  const expected = friends.map((friend) => friend.id).sort((a, b) => a - b);
  if (rows.length !== friends.length || ids.join() !== expected.join() || typeof response['version'] !== 'number') {
    throw new BenchFailure(
      `http: GET /contact/version/0 answered ${rows.length} rows (${ids.length} users) and version ${String(response['version'])}, expected the ${friends.length} contacts`,
    );
  }
  return answer.body;
}

/** The newest 50 of the 200 messages, oldest first, as they were sent. */
async function checkMessages(http: HttpClient, owner: BenchUser, roomId: number): Promise<string> {
  const answer = await http.get(`/v1/rooms/${roomId}/messages`, { 'x-session-id': owner.token });
  const page = answer.status === 200 ? (JSON.parse(answer.body) as Array<{ text: string }>) : [];
  const expected = Array.from({ length: PAGE }, (_, i) => textOf(MESSAGES - PAGE + i));
  if (page.map((message) => message.text).join('\n') !== expected.join('\n')) {
    throw new BenchFailure(
      `http: GET /v1/rooms/${roomId}/messages answered HTTP ${answer.status}, not the newest ${PAGE} messages: ${answer.body.slice(0, 200)}`,
    );
  }
  return answer.body;
}

/** autocannon on one route; fails on any error, non-2xx or body other than the checked one. Requests/s. */
async function load(baseUrl: string, route: LoadedRoute, options: BenchOptions): Promise<number> {
  const result = await autocannon({
    url: `${baseUrl}${route.path}`,
    connections: CONNECTIONS,
    duration: pick(options, 10, 2),
    headers: route.headers,
    expectBody: route.body,
    // eschat's development certificate with --tls: measured, not authenticated.
    tlsOptions: { rejectUnauthorized: false },
  });
  const wrong = result.errors + result.timeouts + result.non2xx + result.mismatches;
  if (wrong > 0) {
    throw new BenchFailure(
      `http: ${route.metric}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx, ${result.mismatches} wrong bodies of ${result.requests.total}`,
    );
  }
  return result.requests.total / result.duration;
}
