import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { ensureDevCertificates } from '../src/platform/dev-certificates.js';
import { ImClient } from './support/im-client.js';
import { spawnServer, type ServerProcess } from './support/spawn-server.js';
import { testCertificates } from './support/test-server.js';
import { imUser, type TestUser } from './support/users.js';

const ca = (): Buffer => readFileSync(join(testCertificates, 'ca.crt'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function imClient(transport: 'tls' | 'websocket', server: ServerProcess, user: TestUser, device: string): Promise<ImClient> {
  const client =
    transport === 'tls' ? await ImClient.tls(server.imPort, ca()) : await ImClient.websocket(`wss://localhost:${server.port}/im`, ca());
  const answer = await client.login(user, device);
  expect(answer.fields['s'], JSON.stringify(answer)).to.equal(0);
  return client;
}

/** A v1 stream socket that only records the code the server closes it with. */
async function openStream(server: ServerProcess, user: TestUser): Promise<{ closed: Promise<number> }> {
  const ws = new WebSocket(`wss://localhost:${server.port}/v1/stream?session_id=${user.token}&device=web`, { ca: ca() });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { closed };
}

/** Traffic until stopped: IM messages from `sender` to `to`, and v1 registrations; what was acknowledged is recorded. */
function traffic(server: ServerProcess, sender: ImClient, to: TestUser) {
  const acked = new Set<number>();
  const registered: string[] = [];
  let running = true;
  let sent = 0;
  const sending = (async () => {
    while (running && !sender.closed) {
      sender.send('m', { id: `load_${sent}`, c: `message ${sent}`, to: to.id, t: 'text' });
      sent += 1;
      await sleep(5);
    }
  })();
  const collecting = (async () => {
    while (running && !sender.closed) {
      const ack = await sender.next((frame) => frame.type === 'a', 200).catch(() => null);
      if (ack) acked.add(ack.fields['mid'] as number);
    }
  })();
  const registering = (async () => {
    for (let i = 0; running; i++) {
      const answer = await server.client.json('POST', '/v1/register', { login: `load${i}`, password: 'pw' }).catch(() => null);
      if (answer?.status === 200) registered.push(`load${i}`);
      else if (answer === null) return;
    }
  })();
  return {
    acked,
    registered,
    async stop() {
      running = false;
      await Promise.all([sending, collecting, registering]);
    },
  };
}

describe('SIGTERM', function () {
  this.timeout(90_000);
  let dataDir: string;
  let restarted: ServerProcess | undefined;

  before(async () => {
    await ensureDevCertificates(testCertificates);
    dataDir = mkdtempSync(join(tmpdir(), 'eschat-sigterm-'));
  });

  after(async () => {
    await restarted?.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops within 10 s during traffic, loses nothing acknowledged, and clients resume after the restart', async () => {
    const server = await spawnServer(dataDir, { ESCHAT_DURABILITY: 'full' });
    const alice = await imUser(server, 'alice', '8613000000001');
    const bob = await imUser(server, 'bob', '8613000000002');
    // Bob's phone is sent every message and acknowledges none: all of them are due again after the restart.
    const phone = await imClient('tls', server, bob, 'phone');
    const stream = await openStream(server, bob);
    const sender = await imClient('websocket', server, alice, 'android');
    const load = traffic(server, sender, bob);
    while (load.acked.size < 20 || load.registered.length < 2) await sleep(10);

    const signalled = performance.now();
    const exitCode = await server.kill('SIGTERM');
    const stoppedInMs = performance.now() - signalled;
    await load.stop();

    expect(exitCode, server.logs.slice(-5).join('\n')).to.equal(0);
    expect(stoppedInMs).to.be.below(10_000);
    expect(server.logs.some((line) => line.includes('"msg":"stopped"'))).to.equal(true);
    const goodbye = await phone.next((frame) => frame.type === 'rr');
    expect(goodbye.fields).to.deep.include({ s: 1, r: 'Closed: server shutting down: reconnect to resume' });
    expect(goodbye.fields['id'], 'simple_im clients read every [[rr]] by its id').to.be.a('string');
    expect(await stream.closed, 'WebSocket close code: service restart').to.equal(1012);

    restarted = await spawnServer(dataDir);
    const resumed = await imClient('tls', restarted, bob, 'phone');
    const redelivered = new Set<number>();
    for (const mid of load.acked) {
      while (!redelivered.has(mid)) redelivered.add((await resumed.next((frame) => frame.type === 'm')).fields['mid'] as number);
    }
    expect(
      [...load.acked].filter((mid) => !redelivered.has(mid)),
      'acknowledged messages missing after the restart',
    ).to.deep.equal([]);
    for (const login of load.registered) {
      expect((await restarted.client.json('POST', '/v1/login', { login, password: 'pw' })).status, login).to.equal(200);
    }
    console.log(
      `      sigterm: stopped in ${Math.round(stoppedInMs)} ms with ${load.acked.size} messages and ${load.registered.length} registrations acknowledged`,
    );
    resumed.close();
  });
});
