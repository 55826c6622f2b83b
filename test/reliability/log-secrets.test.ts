import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToken } from '../../src/events/token.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { ImClient } from '../support/im-client.js';
import { PNG, file, multipart } from '../support/media.js';
import { spawnServer, type ServerProcess } from '../support/spawn-server.js';
import { testCertificates } from '../support/test-server.js';
import { responseOf } from '../support/toml.js';

/**
 * A whole session of use against a real process logging at `trace`: registering and signing in
 * in both dialects, every way of presenting a token (header, cookie, bearer, WebSocket URL, IM
 * login), a failed sign-in, messages, media, logout. Then its whole output is searched for every
 * secret it handled.
 */
describe('logs keep no secret', () => {
  let dataDir: string;
  let server: ServerProcess;
  const secrets = new Map<string, string>();
  const keep = (what: string, value: string): string => {
    secrets.set(value, what);
    return value;
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'eschat-log-secrets-'));
    server = await spawnServer(dataDir, { ESCHAT_LOG_LEVEL: 'trace' });
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  async function useEverything(): Promise<void> {
    const { client } = server;
    const ca = readFileSync(join(testCertificates, 'ca.crt'));
    const v1Password = keep('a v1 password', 'v1-password-Zq8#"xP');
    const v1Token = keep(
      'a v1 token',
      ((await client.json('POST', '/v1/register', { login: 'logged', password: v1Password })).body as { session_id: string }).session_id,
    );
    const v1Again = keep(
      'a v1 token',
      ((await client.json('POST', '/v1/login', { login: 'logged', password: v1Password })).body as { session_id: string }).session_id,
    );
    keep('a wrong password', 'wrong-password-Kd93!');
    expect((await client.json('POST', '/v1/login', { login: 'logged', password: 'wrong-password-Kd93!' })).status).to.equal(422);
    const imPassword = keep('an im password', 'im-password-Wm2$&=');
    expect(
      responseOf((await client.form('POST', '/user', { name: 'logged im', phone: '8613600000001', password: imPassword })).text)['status'],
    ).to.equal(0);
    const login = responseOf(
      (await client.form('POST', '/server/login', { phone: '8613600000001', password: imPassword, device: 'phone' })).text,
    );
    const imUser = login['user'] as { id: number; token: string };
    keep('an im token', imUser.token);
    const info = (await client.json('GET', '/v1/info', undefined, v1Token)).body as { id: number };

    await client.request('GET', '/v1/info', { headers: { authorization: `Bearer ${v1Again}` } });
    await client.request('GET', '/v1/rooms', { headers: { cookie: `token=${v1Again}` } });
    await client.request('GET', `/v1/info?session_id=${v1Again}`);
    await client.form('POST', '/server/reconnect', { id: String(imUser.id) }, imUser.token);
    const room = ((await client.json('POST', '/v1/rooms', { users: [{ id: imUser.id }] }, v1Token)).body as { id: number }).id;
    await client.json('POST', `/v1/rooms/${room}/messages`, { text: 'hello' }, v1Token);
    const upload = await multipart({ file: file(PNG, 'a.png', 'image/png') });
    await client.request('POST', `/v1/rooms/${room}/media`, {
      headers: { 'content-type': upload.contentType, 'x-session-id': v1Token },
      body: upload.body,
    });

    const ws = await ImClient.websocket(`wss://localhost:${server.port}/im?session_id=${imUser.token}`, ca);
    expect((await ws.login(imUser, 'phone')).fields['s']).to.equal(0);
    ws.send('m', { id: 'log_1', c: 'hi', to: info.id });
    await ws.next((frame) => frame.type === 'a');
    const tls = await ImClient.tls(server.imPort, ca);
    expect((await tls.login({ id: info.id, token: v1Token }, 'desk')).fields['s']).to.equal(0);
    // A legacy device is sent live frames (what came while it was away waits for GET /offline).
    ws.send('m', { id: 'log_2', c: 'hi again', to: info.id });
    await tls.next((frame) => frame.type === 'm');
    const refused = await ImClient.tls(server.imPort, ca);
    keep('a forged token', 'forged-token-0b5e7c2a');
    await refused.login({ id: info.id, token: 'forged-token-0b5e7c2a' });
    for (const each of [ws, tls, refused]) each.close();

    expect((await client.json('POST', '/v1/logout', undefined, v1Again)).status).to.equal(200);
    expect((await client.json('GET', '/v1/info', undefined, v1Again)).status).to.equal(401);
  }

  /** The password hashes, from the log of events: the only place they may be. */
  async function passwordHashes(): Promise<string[]> {
    const store = SqliteEventStore.open({ file: join(dataDir, 'events.db'), durability: 'normal' });
    const events = await store.readAll();
    await store.close();
    return events.flatMap((event) => {
      const hash = (event.data as { passwordHash?: unknown }).passwordHash;
      return typeof hash === 'string' ? [hash] : [];
    });
  }

  it('has no token, token hash, password or password hash anywhere in a trace-level log', async function () {
    this.timeout(30_000);
    await useEverything();
    expect(await server.kill('SIGTERM')).to.equal(0);
    for (const hash of await passwordHashes()) secrets.set(hash, 'a password hash');
    for (const [value, what] of [...secrets]) if (what.endsWith('token')) secrets.set(hashToken(value), `the hash of ${what}`);
    const output = server.logs.join('\n');
    const found = [...secrets]
      .filter(([value]) => output.includes(value) || output.includes(encodeURIComponent(value)))
      .map(([, what]) => what);
    console.log(`      logs: ${server.logs.length} lines at trace level searched for ${secrets.size} secrets`);
    expect(output, 'the server logged at trace level').to.include('"logLevel":"trace"');
    expect(server.logs.length, 'a line per request at least').to.be.greaterThan(10);
    expect(found).to.deep.equal([]);
  });
});
