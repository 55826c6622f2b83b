import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { readFrames } from '../../../src/codecs/im/toml-reader.js';
import type { TomlFrame } from '../../../src/codecs/im/toml-frame.js';
import { startTestServer, testCertificates, type TestServer } from '../../support/test-server.js';
import { imUser, type TestUser } from '../../support/users.js';

/** A raw TLS connection to the IM port, writing bytes exactly as a legacy client would. */
async function raw(t: TestServer): Promise<{ socket: TLSSocket; frames: TomlFrame[]; next(type: string): Promise<TomlFrame> }> {
  const socket = connect({
    host: '127.0.0.1',
    port: t.server.imPort,
    ca: readFileSync(join(testCertificates, 'ca.crt')),
    servername: 'localhost',
  });
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  const frames: TomlFrame[] = [];
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) frames.push(...readFrames(line));
  });
  const next = async (type: string) => {
    for (let waited = 0; waited < 5000; waited += 10) {
      const index = frames.findIndex((frame) => frame.type === type);
      if (index >= 0) return frames.splice(index, 1)[0]!;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no [[${type}]] in ${JSON.stringify(frames)}`);
  };
  return { socket, frames, next };
}

describe('legacy IM framing over TLS', () => {
  let t: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  before(async () => {
    t = await startTestServer();
    alice = await imUser(t, 'alice', '8613100000001');
    bob = await imUser(t, 'bob', '8613100000002');
  });
  after(() => t.stop());

  it('reads a one-line login with no newline, several frames in one write, and a frame split across writes', async () => {
    const client = await raw(t);
    client.socket.write(`[[r]] id = "a_01" t = "login" [r.user] id = ${alice.id} d = "android" token = "${alice.token}"`);
    expect((await client.next('rr')).fields).to.deep.include({ id: 'a_01', s: 0 });

    client.socket.write(
      `[[m]] id = "a_02" c = "one" to = ${bob.id} d = "android"\n[[m]] id = "a_03" c = "two" to = ${bob.id} d = "android"\n`,
    );
    const acks = [await client.next('a'), await client.next('a')].map((frame) => frame.fields['id']);
    expect(acks.sort()).to.deep.equal(['a_02', 'a_03']);

    const frame = `[[m]] id = "a_04" c = "split 🙂 across writes" to = ${bob.id} d = "android"\n`;
    const bytes = Buffer.from(frame);
    const cut = bytes.indexOf(Buffer.from('🙂')) + 2;
    client.socket.write(bytes.subarray(0, cut));
    await new Promise((resolve) => setTimeout(resolve, 5));
    client.socket.write(bytes.subarray(cut));
    expect((await client.next('a')).fields['id']).to.equal('a_04');

    const history = await t.client.json('POST', '/v1/rooms', { users: [{ id: bob.id, login: 'bob' }] }, alice.token);
    const room = (history.body as { id: number }).id;
    const texts = ((await t.client.json('GET', `/v1/rooms/${room}/messages`, undefined, alice.token)).body as Array<{ text: string }>).map(
      (m) => m.text,
    );
    expect(texts).to.deep.equal(['one', 'two', 'split 🙂 across writes']);
    client.socket.end();
  });

  it('keeps frames sent right behind the login, without waiting for its answer, and handles them after it', async () => {
    const client = await raw(t);
    client.socket.write(
      `[[r]] id = "l1" t = "login" [r.user] id = ${alice.id} d = "eager" token = "${alice.token}"\n[[m]] id = "e_1" c = "right behind" to = ${bob.id}\n`,
    );
    expect((await client.next('rr')).fields).to.deep.include({ id: 'l1', s: 0 });
    expect((await client.next('a')).fields['id']).to.equal('e_1');
    client.socket.end();
  });

  it('answers garbage with a reason and keeps reading', async () => {
    const client = await raw(t);
    client.socket.write(`[[r]] id = "l" t = "login" [r.user] id = ${bob.id} d = "pc" token = "${bob.token}"\n`);
    await client.next('rr');
    client.socket.write('[[m]] id = "x" c = "unterminated\n');
    client.socket.write('this is not toml at all\n');
    const refusal = await client.next('rr');
    expect(refusal.fields['s']).to.equal(1);
    expect(refusal.fields['r']).to.be.a('string').with.length.greaterThan(0);
    client.socket.write(`[[m]] id = "ok" c = "fine" to = ${alice.id}\n`);
    expect((await client.next('a')).fields['id']).to.equal('ok');
    client.socket.end();
  });
});
