import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TomlFrame } from '../../src/codecs/im/toml-frame.js';
import { outcomeOf } from '../support/dialect-outcome.js';
import { ImClient } from '../support/im-client.js';
import { PNG, file, postMultipart } from '../support/media.js';
import { imOverTls, imOverWebSocket } from '../support/realtime.js';
import { callRoute } from '../support/route-call.js';
import { routeTable } from '../support/route-table.js';
import { errorCode, v1Group } from '../support/rooms.js';
import { startTestServer, testCertificates, type TestServer } from '../support/test-server.js';
import { responseOf } from '../support/toml.js';
import { imUser, v1User, type TestUser } from '../support/users.js';
import { V1Socket } from '../support/v1-socket.js';

/** Small limits, so that each is reached in a few requests: all of them are configuration. */
const LIMITS = {
  ESCHAT_BODY_LIMIT: '4096',
  ESCHAT_UPLOAD_LIMIT: '65536',
  ESCHAT_FRAME_LIMIT: '2048',
  ESCHAT_LOGIN_FAILURES: '3',
  ESCHAT_MESSAGE_RATE: '5',
  ESCHAT_MESSAGE_BURST: '10',
  ESCHAT_CONNECTIONS_PER_USER: '3',
};
const BODY = Number(LIMITS.ESCHAT_BODY_LIMIT);
const UPLOAD = Number(LIMITS.ESCHAT_UPLOAD_LIMIT);
const FRAME = Number(LIMITS.ESCHAT_FRAME_LIMIT);
const BURST = Number(LIMITS.ESCHAT_MESSAGE_BURST);
const CONNECTIONS = Number(LIMITS.ESCHAT_CONNECTIONS_PER_USER);

const ackOrRefusal = (id: string) => (frame: TomlFrame) => (frame.type === 'a' || frame.type === 'rr') && frame.fields['id'] === id;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('limits, as configured', () => {
  let t: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let room: number;
  before(async () => {
    t = await startTestServer({ ...LIMITS, ESCHAT_ADMINS: 'limits-alice' });
    alice = await v1User(t, 'limits-alice', 'alice pw');
    bob = await imUser(t, 'limits bob', '8613700000001', 'bob pw');
    room = (await v1Group(t, alice, 'limits', [bob])).id;
  });
  const checked = { v1Routes: 0, imRoutes: 0 };
  after(async () => {
    console.log(
      `      limits: body ${BODY} B on ${checked.v1Routes} v1 and ${checked.imRoutes} im routes, upload ${UPLOAD} B, frame ${FRAME} B, ${LIMITS.ESCHAT_LOGIN_FAILURES} sign-in failures, ${LIMITS.ESCHAT_MESSAGE_RATE}/s bursts of ${BURST}, ${CONNECTIONS} connections per user`,
    );
    await t.stop();
  });

  describe('body size', () => {
    it('answers 413 payload_too_large on every v1 route that reads JSON, and takes a body just under the limit', async () => {
      const routes = routeTable(t.config).filter((route) => route.dialect === 'v1' && route.json);
      expect(routes.length).to.be.greaterThan(5);
      for (const route of routes) {
        const answer = await callRoute(
          t.client,
          route,
          { params: { id: room, uid: bob.id }, json: { text: 'x'.repeat(BODY) } },
          alice.token,
        );
        expect(outcomeOf('v1', answer), route.key).to.equal('413 payload_too_large');
        checked.v1Routes += 1;
      }
      const under = await t.client.json('POST', `/v1/rooms/${room}/messages`, { text: 'x'.repeat(BODY - 100) }, alice.token);
      expect(under.status, JSON.stringify(under.body)).to.equal(200);
    });

    it('answers im forms over the limit with status 5 in the envelope, on every im route that reads a form', async () => {
      const routes = routeTable(t.config).filter((route) => route.dialect === 'im' && (route.method === 'POST' || route.method === 'PUT'));
      expect(routes.length).to.be.greaterThan(10);
      for (const route of routes) {
        const answer = await callRoute(
          t.client,
          route,
          { params: { id: alice.id, gid: room, uid: alice.id }, form: { name: 'x'.repeat(BODY) } },
          bob.token,
        );
        expect(outcomeOf('im', answer), route.key).to.equal('status 5 Payload Too Large');
        checked.imRoutes += 1;
      }
    });

    it('counts the text fields of a multipart form against the body limit, not the upload limit', async () => {
      const big = 'x'.repeat(BODY * 2);
      const v1 = await postMultipart(t, `/v1/rooms/${room}/media`, { file: file(PNG, 'a.png', 'image/png'), client_id: big }, alice.token);
      expect(outcomeOf('v1', v1)).to.equal('413 payload_too_large');
      const im = await postMultipart(
        t,
        '/gm/image',
        { image: file(PNG, 'a.png', 'image/png'), g_id: String(room), padding: big },
        bob.token,
      );
      expect(outcomeOf('im', im)).to.equal('status 5 Payload Too Large');
    });
  });

  describe('upload size', () => {
    const padded = (size: number) => Buffer.concat([PNG, Buffer.alloc(size - PNG.length)]);

    it('refuses an upload over the limit in both dialects, and takes one just under it', async () => {
      const over = file(padded(UPLOAD + 1), 'big.png', 'image/png');
      expect(outcomeOf('v1', await postMultipart(t, `/v1/rooms/${room}/media`, { file: over }, alice.token))).to.equal(
        '413 payload_too_large',
      );
      expect(outcomeOf('im', await postMultipart(t, '/gm/image', { image: over, g_id: String(room) }, bob.token))).to.equal(
        'status 5 Payload Too Large',
      );
      const under = file(padded(UPLOAD - 1024), 'fits.png', 'image/png');
      expect(outcomeOf('v1', await postMultipart(t, `/v1/rooms/${room}/media`, { file: under }, alice.token))).to.equal('ok');
      expect(outcomeOf('im', await postMultipart(t, '/gm/image', { image: under, g_id: String(room) }, bob.token))).to.equal('ok');
    });
  });

  describe('frame size', () => {
    for (const transport of ['WebSocket', 'TLS'] as const) {
      it(`refuses an IM frame over the limit over ${transport} with "frame too large" and keeps the connection`, async () => {
        const client = await (transport === 'WebSocket' ? imOverWebSocket : imOverTls)(t, bob, `frames-${transport}`);
        client.sendRaw(`[[m]] id = "big" c = "${'x'.repeat(FRAME)}" to = ${alice.id}\n`);
        const refusal = await client.next((frame) => frame.type === 'rr');
        expect(refusal.fields).to.deep.include({ s: 1, r: 'frame too large' });
        expect(refusal.fields['id']).to.be.a('string');
        client.send('m', { id: 'small', c: 'x'.repeat(FRAME - 100), to: alice.id });
        expect((await client.next(ackOrRefusal('small'))).type).to.equal('a');
        expect(client.closed).to.equal(false);
        client.close();
      });
    }

    it('refuses a v1 room chat frame over the limit with payload_too_large and keeps the socket', async () => {
      const socket = await V1Socket.open(t, `/v1/rooms/${room}/chat`, alice.token);
      socket.send({ text: 'x'.repeat(FRAME) });
      expect(await socket.next(() => true)).to.deep.equal({ error: { code: 'payload_too_large' } });
      socket.send({ text: 'fits' });
      await pause(100);
      expect(socket.closed).to.equal(false);
      socket.close();
    });
  });

  describe('sign-in throttling', () => {
    const v1Login = (login: string, password: string) => t.client.json('POST', '/v1/login', { login, password });

    it('never throttles successful sign-ins, however many', async () => {
      for (let i = 0; i < Number(LIMITS.ESCHAT_LOGIN_FAILURES) * 2; i++)
        expect((await v1Login('limits-alice', 'alice pw')).status).to.equal(200);
    });

    it('throttles an account after its failures, in both dialects, even with the right password, and no other account', async () => {
      const carol = await v1User(t, 'limits-carol', 'carol pw');
      for (let i = 0; i < Number(LIMITS.ESCHAT_LOGIN_FAILURES); i++)
        expect(errorCode(await v1Login('limits-carol', 'wrong'))).to.equal('wrong_credentials');
      const throttled = await v1Login('limits-carol', 'carol pw');
      expect([throttled.status, errorCode(throttled)]).to.deep.equal([429, 'rate_limited']);
      expect(Number(throttled.headers['retry-after'])).to.be.within(1, 600);
      const im = responseOf(
        (await t.client.form('POST', '/server/login', { phone: 'limits-carol', password: 'carol pw', device: 'x' })).text,
      );
      expect(im['status']).to.equal(4);
      expect(im['reason']).to.match(/retry in \d+ s/);
      expect((await v1Login('limits-alice', 'alice pw')).status, 'another account').to.equal(200);
      expect((await t.client.json('GET', '/v1/info', undefined, carol.token)).status, 'an open session').to.equal(200);
    });

    // Last of the sign-in tests: this server's loopback address stays throttled afterwards.
    it('throttles an address after ten times as many failures, and still lets it register', async () => {
      const perAccount = Number(LIMITS.ESCHAT_LOGIN_FAILURES);
      let tried = 0;
      while (tried <= perAccount * 20 && errorCode(await v1Login(`limits-ghost-${tried}`, 'x')) === 'user_not_found') tried += 1;
      // The account test before this one already failed from this address.
      expect(tried).to.be.within(perAccount * 9, perAccount * 10);
      expect(errorCode(await v1Login('limits-alice', 'alice pw'))).to.equal('rate_limited');
      expect((await t.client.json('POST', '/v1/register', { login: 'limits-late', password: 'pw' })).status).to.equal(200);
    });
  });

  describe('message rate per connection', () => {
    async function burst(client: ImClient, prefix: string, count: number): Promise<{ sent: number; limited: number }> {
      for (let i = 0; i < count; i++) client.send('m', { id: `${prefix}_${i}`, c: `burst ${i}`, to: alice.id });
      const answers = await Promise.all(Array.from({ length: count }, (_, i) => client.next(ackOrRefusal(`${prefix}_${i}`))));
      const limited = answers.filter((frame) => frame.type === 'rr');
      for (const frame of limited) expect(frame.fields).to.include({ s: 1, r: 'Rate limited' });
      return { sent: answers.length - limited.length, limited: limited.length };
    }

    it('takes a burst, refuses the rest with a reason, keeps the connection, and refills', async () => {
      const client = await imOverWebSocket(t, bob, 'rate-ws');
      const first = await burst(client, 'r1', BURST * 2);
      expect(first.sent).to.be.within(BURST, BURST + 2);
      expect(first.limited).to.be.greaterThan(BURST - 3);
      const other = await imOverTls(t, bob, 'rate-tls');
      expect((await burst(other, 'r2', BURST)).limited, 'another connection has its own allowance').to.equal(0);
      await pause(1000);
      expect((await burst(client, 'r3', 3)).sent, 'refilled at the configured rate').to.equal(3);
      expect(client.closed).to.equal(false);
      client.close();
      other.close();
    });

    it('limits v1 room chat the same way', async () => {
      const socket = await V1Socket.open(t, `/v1/rooms/${room}/chat`, alice.token);
      for (let i = 0; i < BURST * 2; i++) socket.send({ text: `chat ${i}` });
      await pause(500);
      const limited = socket.frames.filter((frame) => (frame['error'] as { code?: string } | undefined)?.code === 'rate_limited');
      expect(limited.length).to.be.within(BURST - 2, BURST);
      expect(socket.closed).to.equal(false);
      socket.close();
    });
  });

  describe('connections per user', () => {
    const tooMany = `too many connections: at most ${CONNECTIONS} per user`;
    const ca = () => readFileSync(join(testCertificates, 'ca.crt'));

    /** An IM login past the limit: the reason, then the connection closes. */
    async function refusedLogin(client: ImClient, user: TestUser, device: string): Promise<void> {
      client.send('r', { id: 'login_x', t: 'login', user: { id: user.id, d: device, token: user.token } });
      expect((await client.next((frame) => frame.type === 'rr')).fields).to.deep.include({ id: 'login_x', t: 'login', s: 1, r: tooMany });
      await client.next(() => false, 2000).catch(() => undefined);
      expect(client.closed).to.equal(true);
    }

    it('refuses one past the limit on every transport with the reason, lets a device replace itself, and takes one again after a close', async () => {
      // Registered, not signed in: this server's address is throttled by the sign-in tests.
      const dave = await v1User(t, 'limits-dave');
      const phone = await imOverWebSocket(t, dave, 'phone');
      const tablet = await imOverTls(t, dave, 'tablet');
      const stream = await V1Socket.open(t, '/v1/stream', dave.token);

      await refusedLogin(await ImClient.websocket(`wss://localhost:${t.server.port}/im`, ca()), dave, 'laptop');
      await refusedLogin(await ImClient.tls(t.server.imPort, ca()), dave, 'laptop');
      const extraStream = await V1Socket.open(t, '/v1/stream', dave.token);
      expect(await extraStream.whenClosed()).to.equal(4000);
      expect(extraStream.frames).to.deep.include({ type: 'closing', reason: tooMany });
      const room = (await v1Group(t, dave, 'crowded')).id;
      expect(await (await V1Socket.open(t, `/v1/rooms/${room}/chat`, dave.token)).whenClosed()).to.equal(4000);

      const again = await imOverWebSocket(t, dave, 'phone');
      await phone.next(() => false, 1000).catch(() => undefined);
      expect(phone.closed, 'replaced by the same device').to.equal(true);

      tablet.close();
      await tablet.next(() => false, 1000).catch(() => undefined);
      const laptop = await imOverWebSocket(t, dave, 'laptop');
      expect(laptop.closed).to.equal(false);
      for (const client of [again, laptop]) client.close();
      stream.close();
    });
  });
});
