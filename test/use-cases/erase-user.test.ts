import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { auditUser } from '../../src/queries/audit/user.js';
import { runCli } from '../support/cli.js';
import { PNG, file, postMultipart } from '../support/media.js';
import { errorCode, v1Group, v1History, v1Send } from '../support/rooms.js';
import { ImClient } from '../support/im-client.js';
import { startTestServer, testCertificates, type TestServer } from '../support/test-server.js';
import { imUser, v1User, type TestUser } from '../support/users.js';
import { V1Socket } from '../support/v1-socket.js';

/** Every file under `dir`, read raw: what someone with the disk (or a backup of it) has. */
function rawFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) for (const [inner, bytes] of rawFiles(path)) files.set(inner, bytes);
    else files.set(path, readFileSync(path));
  }
  return files;
}

/** The files of `dir` holding `needle` (as UTF-8, or as SQLite and JSON may escape it). */
function filesHolding(dir: string, needle: string): string[] {
  return [...rawFiles(dir)].filter(([, bytes]) => bytes.includes(Buffer.from(needle, 'utf8'))).map(([path]) => path);
}

interface World {
  victim: TestUser;
  bob: TestUser;
  admin: TestUser;
  group: number;
  direct: number;
  mediaId: string;
  /** The victim's IM connection (TLS), signed in. */
  im: ImClient;
}

const NAME = 'Zebulon Quixotic';
const PHONE = '+15550987612';
const SECRET = 'xylophone-secret-7731';
const DIRECT_SECRET = 'direct-secret-5521';
const ASK = 'greeting-secret-9917';
const BOB_TEXT = 'bob-visible-text-4410';
const IM_SECRET = 'im-dialect-secret-6630';

/** A person with messages in a group and a direct room, a contact request, an uploaded image and open sessions. */
async function populate(t: TestServer): Promise<World> {
  const victim = await imUser(t, NAME, PHONE);
  const bob = await v1User(t, 'bob');
  const admin = await v1User(t, 'admin');
  const group = (await v1Group(t, victim, 'plans', [bob])).id;
  expect((await v1Send(t, victim, group, SECRET)).status).to.equal(200);
  expect((await v1Send(t, bob, group, BOB_TEXT)).status).to.equal(200);
  const direct = await t.client.json('POST', '/v1/rooms', { users: [{ id: bob.id }] }, victim.token);
  expect(direct.status, JSON.stringify(direct.body)).to.equal(200);
  const directId = (direct.body as { id: number }).id;
  expect((await v1Send(t, victim, directId, DIRECT_SECRET)).status).to.equal(200);
  const sent = await postMultipart(t, `/v1/rooms/${group}/media`, { file: file(PNG, 'me.png', 'image/png') }, victim.token);
  expect(sent.status, sent.text).to.equal(200);
  const mediaId = ((JSON.parse(sent.text) as { url: string }).url.split('/').pop() ?? '').trim();
  expect(mediaId).not.to.equal('');
  const asked = await t.client.json('POST', `/v1/contacts/${admin.id}`, { ask: ASK }, victim.token);
  expect(asked.status, JSON.stringify(asked.body)).to.equal(200);
  // The other dialect: a group message over simple_im's TLS protocol.
  const im = await ImClient.tls(t.server.imPort, readFileSync(join(testCertificates, 'ca.crt')));
  await im.login(victim);
  im.send('gm', { id: 'erase_1', c: IM_SECRET, g_id: group, t: 'text', d: 'android' });
  for (let i = 0; i < 100 && !(await v1History(t, bob, group)).some((message) => message.text === IM_SECRET); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect((await v1History(t, bob, group)).map((message) => message.text)).to.include(IM_SECRET);
  return { victim, bob, admin, group, direct: directId, mediaId, im };
}

const NEEDLES = [NAME, 'Zebulon', PHONE, PHONE.slice(1), SECRET, DIRECT_SECRET, ASK, IM_SECRET];

/** Nothing of the victim's anywhere under the data directory; everyone else's still there. */
function expectNoTrace(dir: string): void {
  for (const needle of NEEDLES) expect(filesHolding(dir, needle), `${needle} in the data directory`).to.deep.equal([]);
}

/**
 * Nothing of the victim's under the data directory of a server still running, WAL files
 * (`*-wal`) included, once it has followed the erasure: what a copy of the disk taken then holds.
 */
async function expectNoTraceWhileServing(dir: string): Promise<void> {
  const holding = () => NEEDLES.flatMap((needle) => filesHolding(dir, needle).map((path) => `${needle} in ${path.replace(dir, '')}`));
  for (let i = 0; i < 100 && holding().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(holding()).to.deep.equal([]);
}

describe('erasing a person (crypto-shredding)', function () {
  this.timeout(60_000);

  it('through DELETE /v1/admin/users/:id: every API, the stream, the audit, a rebuild, a copy and the raw files show nothing of them', async () => {
    const t = await startTestServer({ ESCHAT_ADMINS: 'admin', ESCHAT_READSTORE: 'sqlite' });
    let stopped = false;
    try {
      const world = await populate(t);
      const { victim, bob, admin, group } = world;
      const socket = await V1Socket.open(t, `/v1/rooms/${group}/chat`, victim.token);
      expect(
        filesHolding(t.dataDir, SECRET).map((path) => path.replace(t.dataDir, '')),
        'the test sees plaintext where it is: in the WAL of a running server',
      ).to.include('/read-models.db-wal');
      expect((await t.client.json('DELETE', `/v1/admin/users/${victim.id}`, undefined, bob.token)).status, 'admins only').to.equal(403);
      const erased = await t.client.json('DELETE', `/v1/admin/users/${victim.id}`, undefined, admin.token);
      expect(erased.status, JSON.stringify(erased.body)).to.equal(200);
      expect(erased.body).to.deep.include({ user: victim.id, erased: true, alreadyErased: false, mediaDeleted: 1 });
      const again = await t.client.json('DELETE', `/v1/admin/users/${victim.id}`, undefined, admin.token);
      expect(again.body, 'idempotent').to.deep.include({ erased: true, alreadyErased: true });
      const unknown = await t.client.json('DELETE', '/v1/admin/users/9999', undefined, admin.token);
      expect([unknown.status, errorCode(unknown)]).to.deep.equal([404, 'user_not_found']);

      await socket.whenClosed();
      for (let i = 0; i < 100 && !world.im.closed; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(world.im.closed, 'their IM connection closed').to.equal(true);
      expect((await t.client.json('GET', '/v1/info', undefined, victim.token)).status, 'their sessions ended').to.equal(401);
      const history = await v1History(t, bob, group);
      const texts = history.map((message) => message.text);
      expect(texts).to.include(BOB_TEXT).and.to.include('[erased]').and.not.to.include(SECRET).and.not.to.include(IM_SECRET);
      await expectNoTraceWhileServing(t.dataDir);
      expect((await v1History(t, bob, world.direct)).map((message) => message.text)).to.deep.equal(['[erased]']);
      const requests = await t.client.json('GET', '/v1/contacts/requests', undefined, admin.token);
      expect(JSON.stringify(requests.body)).not.to.include(ASK);
      const media = await t.client.request('GET', `/v1/media/${world.mediaId}`, { headers: { 'x-session-id': bob.token } });
      expect(media.status, 'their files are gone').to.equal(404);
      const audit = await auditUser(t.server.store, victim.id, { withContent: true });
      const auditText = JSON.stringify(audit);
      expect(auditText).to.include('UserErased').and.to.include(`#${admin.id}`);
      for (const secret of [NAME, PHONE, SECRET, DIRECT_SECRET, ASK, IM_SECRET]) expect(auditText).not.to.include(secret);
      const roomAudit = await t.client.json('GET', `/v1/admin/audit/room/${group}?with_content=true`, undefined, admin.token);
      expect(JSON.stringify(roomAudit.body)).to.include(BOB_TEXT).and.to.include('[erased]').and.not.to.include(SECRET);

      // A rebuild from the log after the erasure: the same, from scratch.
      const rebuild = await t.client.json('POST', '/v1/admin/projections/rebuild', {}, admin.token);
      expect(rebuild.status).to.equal(202);
      for (let i = 0; i < 200; i++) {
        const status = await t.client.json('GET', '/v1/admin/projections', undefined, admin.token);
        if ((status.body as { rebuild: { state?: string } | null }).rebuild?.state !== 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await v1History(t, bob, group)).map((message) => message.text))
        .to.include(BOB_TEXT)
        .and.not.to.include(SECRET);

      await t.stop(true);
      stopped = true;
      expectNoTrace(t.dataDir);
      expect(
        filesHolding(t.dataDir, BOB_TEXT).map((path) => path.replace(t.dataDir, '')),
        'the others are whole',
      ).to.include('/read-models.db');
      expect(existsSync(join(t.dataDir, 'master.key'))).to.equal(true);
      expect(statSync(join(t.dataDir, 'master.key')).mode & 0o777).to.equal(0o600);

      // A copy of the log takes the keys along: erased in the copy too, the others readable.
      const copy = await runCli(t.dataDir, ['events', 'copy', '--to', `sqlite:${join(t.dataDir, 'copy', 'events.db')}`]);
      expect(copy.code, copy.stderr).to.equal(0);
      expect(existsSync(join(t.dataDir, 'copy', 'keys.db'))).to.equal(true);
      expectNoTrace(join(t.dataDir, 'copy'));
      const copied = await startTestServer({ ESCHAT_ADMINS: 'admin', ESCHAT_READSTORE: 'sqlite' }, join(t.dataDir, 'copy'));
      try {
        expect((await v1History(copied, bob, group)).map((message) => message.text))
          .to.include(BOB_TEXT)
          .and.to.include('[erased]');
      } finally {
        await copied.stop();
      }
    } finally {
      if (!stopped) await t.stop();
    }
  });

  it('through `eschat erase user`: asks at a terminal or wants --yes, refuses an unknown user, and a running server follows', async () => {
    const t = await startTestServer({ ESCHAT_ADMINS: 'admin', ESCHAT_READSTORE: 'sqlite' });
    try {
      const world = await populate(t);
      const { victim, bob, group } = world;
      const socket = await V1Socket.open(t, `/v1/rooms/${group}/chat`, victim.token);
      const env = { ESCHAT_READSTORE: 'sqlite' };
      const unasked = await runCli(t.dataDir, ['erase', 'user', String(victim.id)], env);
      expect(unasked.code, 'not at a terminal and no --yes').to.equal(2);
      expect((await t.client.json('GET', '/v1/info', undefined, victim.token)).status).to.equal(200);
      const unknown = await runCli(t.dataDir, ['erase', 'user', '9999', '--yes'], env);
      expect([unknown.code, unknown.stderr]).to.deep.equal([1, 'eschat: no user 9999 in the log\n']);
      const erased = await runCli(t.dataDir, ['erase', 'user', String(victim.id), '--yes', '--json'], env);
      expect(erased.code, erased.stderr).to.equal(0);
      expect(JSON.parse(erased.stdout)).to.deep.equal({ user: victim.id, erased: true, alreadyErased: false, mediaDeleted: 1 });
      const again = await runCli(t.dataDir, ['erase', 'user', String(victim.id), '--yes', '--json'], env);
      expect(JSON.parse(again.stdout)).to.include({ alreadyErased: true });

      await socket.whenClosed();
      for (let i = 0; i < 100 && !world.im.closed; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(world.im.closed, 'their IM connection closed').to.equal(true);
      for (let i = 0; i < 100 && (await t.client.json('GET', '/v1/info', undefined, victim.token)).status !== 401; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect((await t.client.json('GET', '/v1/info', undefined, victim.token)).status).to.equal(401);
      const texts = (await v1History(t, bob, group)).map((message) => message.text);
      expect(texts).to.include(BOB_TEXT).and.to.include('[erased]').and.not.to.include(SECRET);
      await expectNoTraceWhileServing(t.dataDir);
      const audit = await runCli(t.dataDir, ['audit', 'user', String(victim.id), '--json', '--with-content'], env);
      expect(audit.stdout).to.include('was erased by the operator');
      for (const secret of [NAME, PHONE, SECRET]) expect(audit.stdout).not.to.include(secret);
      await t.stop(true);
      expectNoTrace(t.dataDir);
    } finally {
      await t.stop();
    }
  });
});
