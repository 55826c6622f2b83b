import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import type { MediaKind } from '../../src/commands/media-signature.js';
import { outcomeOf } from '../support/dialect-outcome.js';
import { HttpsClient, type Answer } from '../support/https-client.js';
import { ImClient } from '../support/im-client.js';
import { postMultipart } from '../support/media.js';
import { callRoute } from '../support/route-call.js';
import { routeTable, type TableRoute } from '../support/route-table.js';
import { v1Group, v1Send, type V1Message } from '../support/rooms.js';
import { startTestServer, testCertificates, type TestServer } from '../support/test-server.js';
import { imUser, v1User, type TestUser } from '../support/users.js';
import { V1Socket } from '../support/v1-socket.js';
import { MEDIA_KINDS, MEDIA_SAMPLES, ROUTE_RULES, type Knowledge, type MatrixFixture, type RouteRule } from './authorization-rules.js';

/** The callers every route is tried with, besides the legitimate one. */
const IDENTITIES = ['no token', 'malformed token', 'ended session', 'another user', 'removed member'] as const;
type Identity = (typeof IDENTITIES)[number];
const WITHOUT_SESSION: ReadonlySet<Identity> = new Set(['no token', 'malformed token', 'ended session']);

/** The outcome a rule gives an identity that is not the legitimate caller. */
function expectedOutcome(route: TableRoute, rule: RouteRule, identity: Identity): string {
  if (WITHOUT_SESSION.has(identity)) {
    if (rule.rule === 'anyone') return rule.success ?? 'ok';
    return rule.authRefusal ?? (route.dialect === 'v1' ? '401 unauthorized' : 'status 1 Token error');
  }
  switch (rule.rule) {
    case 'anyone':
    case 'signed-in':
      return rule.success ?? 'ok';
    case 'session-holder':
      return rule.authRefusal ?? 'a refusal';
    case 'admin':
      return '403 forbidden';
    default:
      return rule.refused ?? 'a refusal';
  }
}

/**
 * Every route of both dialects, read from the route tables, against no token, a malformed token,
 * an ended session, another user and a member removed from the room: each gets what the route's
 * rule says, reads none of the room's secrets, and changes nothing of the owner's; then the
 * legitimate caller succeeds, which shows the refusals were not an accident of the request.
 */
describe('authorization matrix, generated from the route tables', () => {
  let t: TestServer;
  let client: HttpsClient;
  let fx: Omit<MatrixFixture, 'room' | 'key' | 'message' | 'media'>;
  let tokens: Record<Identity, string | null>;
  let callers: Record<NonNullable<RouteRule['caller']>, TestUser>;
  let removed: TestUser;
  let serial = 0;
  const ownerLogin = 'matrix-owner';
  const ownerPassword = 'owner secret';

  before(async () => {
    t = await startTestServer({ ESCHAT_ADMINS: ownerLogin });
    client = new HttpsClient(t.client.baseUrl, readFileSync(join(testCertificates, 'ca.crt')), new Agent({ keepAlive: true }));
    const owner = await v1User(t, ownerLogin, ownerPassword);
    const session = async () =>
      ((await t.client.json('POST', '/v1/login', { login: ownerLogin, password: ownerPassword })).body as { session_id: string })
        .session_id;
    const [spare, ended] = [await session(), await session()];
    expect((await t.client.json('POST', '/v1/logout', undefined, ended)).status).to.equal(200);
    const memberPhone = '8613900000001';
    const member = await imUser(t, 'matrix member', memberPhone);
    removed = await v1User(t, 'matrix removed');
    const stranger = await v1User(t, 'matrix stranger');
    const newcomer = await v1User(t, 'matrix newcomer');
    const pair = async (name: string) => ({ v1: await v1User(t, `${name} v1`), im: await v1User(t, `${name} im`) });
    const [askers, friends, targets] = [await pair('asker'), await pair('friend'), await pair('target')];
    for (const user of [askers.v1, askers.im, friends.v1, friends.im])
      expect((await t.client.json('POST', `/v1/contacts/${owner.id}`, {}, user.token)).status).to.equal(200);
    for (const user of [friends.v1, friends.im])
      expect((await t.client.json('PUT', `/v1/contacts/${user.id}`, undefined, owner.token)).status).to.equal(200);
    fx = {
      owner,
      ownerLogin,
      ownerPassword,
      member,
      memberPhone,
      newcomer,
      askers,
      friends,
      targets,
      unique: (prefix) => `${prefix}${Date.now() % 1e6}${(serial += 1)}`,
    };
    tokens = {
      'no token': null,
      'malformed token': 'not-a-session-"\u00e9',
      'ended session': ended,
      'another user': stranger.token,
      'removed member': removed.token,
    };
    callers = { owner, member, newcomer, spare: { id: owner.id, token: spare } };
  });
  after(() => t.stop());

  /** A fresh room: the owner's group with the member, the removed member taken out, the key rotated, then secrets sent. */
  async function fixtureFor(rule: RouteRule): Promise<{ fixture: MatrixFixture; oldKey: string; secrets: string[] }> {
    const group = await v1Group(t, fx.owner, 'matrix room', [fx.member, removed]);
    expect((await t.client.json('DELETE', `/v1/rooms/${group.id}/members/${removed.id}`, undefined, fx.owner.token)).status).to.equal(200);
    const key = ((await t.client.json('POST', `/v1/rooms/${group.id}/key`, undefined, fx.owner.token)).body as { key: string }).key;
    const secret = `secret text ${fx.unique('')}`;
    const sent = await v1Send(t, fx.owner, group.id, secret);
    expect(sent.status).to.equal(200);
    const media = { audio: '', video: '', image: '' };
    if (rule.rule === 'media-viewer') for (const kind of MEDIA_KINDS) media[kind] = await upload(group.id, kind);
    return {
      fixture: { ...fx, room: group.id, key, message: (sent.body as V1Message).id, media },
      oldKey: group.key ?? '',
      secrets: [secret, key],
    };
  }

  async function upload(room: number, kind: MediaKind): Promise<string> {
    const answer = await postMultipart(t, `/v1/rooms/${room}/media`, { file: MEDIA_SAMPLES[kind], kind }, fx.owner.token);
    expect(answer.status, answer.text).to.equal(200);
    return (JSON.parse(answer.text) as V1Message).url!.split('/').pop()!;
  }

  /** What the owner sees of the room and of their contacts: no outsider's call may change it. */
  async function ownerView(room: number): Promise<string> {
    const paths = [`/v1/rooms/${room}`, `/v1/rooms/${room}/messages`, '/v1/contacts', '/v1/contacts/requests'];
    return JSON.stringify(await Promise.all(paths.map(async (path) => (await client.json('GET', path, undefined, fx.owner.token)).body)));
  }

  const knowledgeOf = (identity: Identity, fixture: MatrixFixture, oldKey: string): Knowledge => {
    if (identity === 'another user') return { key: 'a guessed key' };
    return { key: identity === 'removed member' ? oldKey : fixture.key };
  };

  it('has a rule for every route the dialects mount, and none for a route that is gone', () => {
    const keys = routeTable(t.config).map((route) => route.key);
    expect(
      keys.filter((key) => !(key in ROUTE_RULES)),
      'routes without an authorization rule',
    ).to.deep.equal([]);
    expect(
      Object.keys(ROUTE_RULES).filter((key) => !keys.includes(key)),
      'rules of routes that no longer exist',
    ).to.deep.equal([]);
  });

  it('guards the WebSocket endpoints the same way', async () => {
    const { fixture, secrets } = await fixtureFor({ rule: 'room-member', call: () => ({}) });
    const ca = readFileSync(join(testCertificates, 'ca.crt'));
    const outcomes: Record<string, string> = {};
    for (const identity of IDENTITIES) {
      const token = tokens[identity] ?? '';
      const chat = await V1Socket.open(t, `/v1/rooms/${fixture.room}/chat`, token).then(
        (socket) => (socket.close(), 'open'),
        (error: Error) => error.message,
      );
      const stream = await V1Socket.open(t, '/v1/stream', token).then(
        async (socket) => {
          await new Promise((resolve) => setTimeout(resolve, 200));
          socket.close();
          return secrets.some((secret) => JSON.stringify(socket.frames).includes(secret)) ? 'leaked a secret' : 'open';
        },
        (error: Error) => error.message,
      );
      const im = await ImClient.websocket(`wss://localhost:${t.server.port}/im`, ca);
      const login = await im.login({ id: identity === 'removed member' ? removed.id : fx.owner.id, token }, 'matrix');
      let groupSend = 'not signed in';
      if (login.fields['s'] === 0) {
        im.send('gm', { id: 'matrix_gm', c: 'let me in', g_id: fixture.room });
        groupSend = String((await im.next((frame) => frame.type === 'rr' || frame.type === 'a')).fields['r'] ?? 'sent');
      }
      im.close();
      outcomes[identity] = `chat ${chat}, stream ${stream}, IM login ${String(login.fields['r'] ?? 'ok')}, group send ${groupSend}`;
    }
    expect(outcomes).to.deep.equal({
      'no token': 'chat refused 401, stream refused 401, IM login token Required, group send not signed in',
      'malformed token': 'chat refused 401, stream refused 401, IM login Token not match, group send not signed in',
      'ended session': 'chat refused 401, stream refused 401, IM login Token not match, group send not signed in',
      'another user': 'chat refused 403, stream open, IM login Token not match, group send not signed in',
      'removed member': 'chat refused 403, stream open, IM login ok, group send Unauthorized',
    });
  });

  it('gives every identity what the rule says on every route, leaks nothing and changes nothing', async function () {
    this.timeout(120_000);
    // Ending a session ends the identities' sessions too: those routes go last.
    const routes = routeTable(t.config)
      .filter((route) => route.key in ROUTE_RULES)
      .sort((a, b) => Number(ROUTE_RULES[a.key]!.endsSession ?? false) - Number(ROUTE_RULES[b.key]!.endsSession ?? false));
    const mismatches: string[] = [];
    let checks = 0;
    for (const route of routes) {
      const rule = ROUTE_RULES[route.key]!;
      const { fixture, oldKey, secrets } = await fixtureFor(rule);
      const before = await ownerView(fixture.room);
      for (const identity of IDENTITIES) {
        const answer = await callRoute(client, route, rule.call(fixture, knowledgeOf(identity, fixture, oldKey)), tokens[identity]);
        mismatches.push(...judge(route, identity, answer, expectedOutcome(route, rule, identity), secrets));
        checks += 1;
      }
      if ((await ownerView(fixture.room)) !== before)
        mismatches.push(`${route.key}: an outsider's call changed the owner's room or contacts`);
      const caller = callers[rule.caller ?? 'owner'];
      const legitimate = outcomeOf(route.dialect, await callRoute(client, route, rule.call(fixture, { key: fixture.key }), caller.token));
      if (legitimate !== (rule.success ?? 'ok')) mismatches.push(`${route.key} as its legitimate caller: ${legitimate}`);
    }
    console.log(
      `      authorization: ${routes.length} routes x ${IDENTITIES.length} identities = ${checks} checks, plus ${routes.length} legitimate calls`,
    );
    expect(mismatches).to.deep.equal([]);
  });
});

/** The problems with one answer: the wrong outcome, a secret in it. */
function judge(route: TableRoute, identity: Identity, answer: Answer, expected: string, secrets: readonly string[]): string[] {
  const problems: string[] = [];
  const outcome = outcomeOf(route.dialect, answer);
  if (outcome !== expected) problems.push(`${route.key} with ${identity}: ${outcome}, expected ${expected}`);
  if (secrets.some((secret) => answer.text.includes(secret)))
    problems.push(`${route.key} with ${identity}: the answer holds a secret of the room`);
  return problems;
}
