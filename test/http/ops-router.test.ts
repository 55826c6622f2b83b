import { expect } from 'chai';
import { describeConfig } from '../../src/platform/config.js';
import { projections } from '../../src/projections/all-projections.js';
import type { HealthReport } from '../../src/http/health.js';
import { Scrape } from '../support/prometheus.js';
import { imOverTls, imOverWebSocket } from '../support/realtime.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { imUser, v1User, type TestUser } from '../support/users.js';

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; waited < 5000; waited += 20) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect.fail(`never: ${what}`);
}

describe('GET /metrics', () => {
  let t: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    t = await startTestServer();
    alice = await imUser(t, 'alice', '8614000000001');
    bob = await imUser(t, 'bob', '8614000000002');
  });
  after(() => t.stop());

  it('is Prometheus text, with the process defaults beside eschat_ series', async () => {
    const answer = await t.client.request('GET', '/metrics');
    expect(answer.status).to.equal(200);
    expect(answer.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
    expect(answer.text).to.include('# TYPE eschat_http_requests_total counter');
    expect(answer.text).to.include('process_cpu_user_seconds_total');
  });

  it('counts requests by route pattern and status, and appends, as the traffic happens', async () => {
    const before = await Scrape.of(t.client);
    await v1User(t, 'counted');
    await t.client.json('POST', '/v1/register', { login: 'counted', password: 'pw' });
    const unknownRoom = await t.client.json('GET', '/v1/rooms/987654/messages', undefined, alice.token);
    const after = await Scrape.of(t.client);
    const requests = (scrape: Scrape, route: string, status: string) =>
      scrape.value('eschat_http_requests_total', { method: 'POST', route, status });
    expect(requests(after, '/v1/register', '200') - requests(before, '/v1/register', '200')).to.equal(1);
    expect(requests(after, '/v1/register', '422') - requests(before, '/v1/register', '422')).to.equal(1);
    expect(
      after.value('eschat_http_requests_total', { method: 'GET', route: '/v1/rooms/:id/messages', status: String(unknownRoom.status) }),
    ).to.equal(1);
    // In a label, not anywhere: a sample's value may contain the digits too.
    expect(after.text, 'raw paths would make a series per id').not.to.match(/="[^"]*987654/);
    // Registering appends the login claim, the user and the session.
    const appends = (scrape: Scrape) => scrape.value('eschat_event_store_appends_total', { outcome: 'ok' });
    expect(appends(after) - appends(before)).to.be.at.least(3);
    const events = (scrape: Scrape) => scrape.value('eschat_event_store_appended_events_total');
    expect(events(after) - events(before)).to.be.at.least(3);
    const timed = (scrape: Scrape) => scrape.value('eschat_event_store_append_seconds_count', { outcome: 'ok' });
    expect(timed(after) - timed(before)).to.equal(appends(after) - appends(before));
  });

  it('gauges connections per transport, and counts deliveries with their latency', async () => {
    const connections = async (transport: string) => (await Scrape.of(t.client)).value('eschat_realtime_connections', { transport });
    const phone = await imOverTls(t, bob);
    const laptop = await imOverWebSocket(t, alice);
    expect([await connections('tls'), await connections('websocket')]).to.deep.equal([1, 1]);

    const before = await Scrape.of(t.client);
    expect((await t.client.form('POST', `/contact/${bob.id}`, { ask: 'hi' }, alice.token)).status).to.equal(200);
    await phone.next((frame) => frame.type === 'n' && frame.fields['t'] === 'add_contact');
    laptop.send('m', { id: 'metered', c: 'counted', to: bob.id });
    await phone.next((frame) => frame.type === 'm' && frame.fields['id'] === 'metered');
    const after = await Scrape.of(t.client);
    for (const kind of ['notification', 'message']) {
      const delivered =
        after.value('eschat_realtime_deliveries_total', { kind }) - before.value('eschat_realtime_deliveries_total', { kind });
      expect(delivered, kind).to.be.at.least(1);
      const timed =
        after.value('eschat_realtime_delivery_seconds_count', { kind }) - before.value('eschat_realtime_delivery_seconds_count', { kind });
      expect(timed, kind).to.equal(delivered);
    }

    phone.close();
    laptop.close();
    await eventually(
      async () => (await connections('tls')) === 0 && (await connections('websocket')) === 0,
      'both connections counted out',
    );
  });

  it('reads the lag of every projection at each scrape', async () => {
    const scrape = await Scrape.of(t.client);
    for (const projection of projections) {
      expect(scrape.text).to.include(`eschat_projection_lag{projection="${projection.name}"}`);
      expect(scrape.value('eschat_projection_failed', { projection: projection.name }), projection.name).to.equal(0);
    }
  });
});

describe('GET /metrics with ESCHAT_METRICS_TOKEN', () => {
  const token = 'scraper-secret-0123456789';
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ ESCHAT_METRICS_TOKEN: token });
  });
  after(() => t.stop());

  it('answers the scraper that shows the token, and 401 to anyone else', async () => {
    expect((await t.client.request('GET', '/metrics')).status).to.equal(401);
    expect((await t.client.request('GET', '/metrics', { headers: { authorization: 'Bearer wrong' } })).status).to.equal(401);
    const scrape = await Scrape.of(t.client, token);
    expect(scrape.value('eschat_http_requests_total', { method: 'GET', route: '/metrics', status: '401' })).to.equal(2);
  });

  it('keeps the token out of the configuration the server logs at start', () => {
    expect(JSON.stringify(describeConfig(t.config))).not.to.include(token);
  });
});

describe('GET /v1/health', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('answers 200 ready with the state of each part once the read models are caught up', async () => {
    const user = await v1User(t, 'healthy');
    const socket = await imOverTls(t, user);
    const answer = await t.client.json('GET', '/v1/health');
    expect(answer.status).to.equal(200);
    const report = answer.body as HealthReport;
    expect(report.status).to.equal('ready');
    expect(report.event_store.ok).to.equal(true);
    expect(report.event_store.head).to.equal(await t.server.store.headPosition());
    expect(report.read_store.ok).to.equal(true);
    expect(report.projections.caught_up).to.equal(true);
    expect(report.projections.list.map((projection) => projection.name)).to.have.members(projections.map((projection) => projection.name));
    expect(report.realtime.connections).to.equal(1);
    socket.close();
  });
});
