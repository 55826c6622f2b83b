import { expect } from 'chai';
import { once } from 'node:events';
import { connect as tcpConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { readFrames, type TomlFrame } from '../../../src/codecs/im/toml-reader.js';
import { writeFrameLine } from '../../../src/codecs/im/toml-writer.js';
import { RecordReader } from '../../support/record-reader.js';
import { startTestServer, testCertificates, type TestServer } from '../../support/test-server.js';
import { imUser, type TestUser } from '../../support/users.js';

const RECORD_BYTES = 16 * 1024;
const caFile = join(testCertificates, 'ca.crt');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Texts of many sizes, with what TOML escapes and what UTF-8 needs several bytes for. */
function texts(count: number): string[] {
  const sizes = [1, 37, 260, 900, 2500, 5200];
  const alphabet = ['a', 'b', ' ', '"', '\\', 'é', '中', '🙂', '\t'];
  return Array.from({ length: count }, (_, i) => {
    const size = sizes[i % sizes.length]! + i;
    return Array.from({ length: size }, (_, j) => alphabet[(i + j * 7) % alphabet.length]).join('') + ` #${i}`;
  });
}

/** Signs in `user` on the IM port and returns the socket once the login is answered. */
async function signIn(t: TestServer, user: TestUser, plain: boolean): Promise<Socket> {
  const port = t.server.imPort;
  const socket = plain
    ? tcpConnect(port, '127.0.0.1')
    : tlsConnect({ host: '127.0.0.1', port, ca: readFileSync(caFile), servername: 'localhost' });
  await once(socket, plain ? 'connect' : 'secureConnect');
  socket.write(`[[r]] id = "burst_login" t = "login" [r.user] id = ${user.id} d = "burst" token = "${user.token}"\n`);
  let text = '';
  await new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (!text.includes('\n')) return;
      socket.off('data', onData);
      socket.pause();
      resolve();
    };
    socket.on('data', onData);
  });
  expect(readFrames(text.slice(0, text.indexOf('\n')))[0]?.fields).to.deep.include({ id: 'burst_login', s: 0 });
  return socket;
}

/** `from` sends every text to `to` in one write: their deliveries reach `to` together. */
async function burst(t: TestServer, from: TestUser, to: TestUser, sent: string[], plain = false): Promise<void> {
  const socket = await signIn(t, from, plain);
  socket.write(sent.map((c, i) => `${writeFrameLine({ type: 'm', fields: { id: `b_${i}`, c, to: to.id } })}\n`).join(''));
  socket.on('error', () => undefined);
  socket.resume();
}

/** The frames one read holds; fails unless the read is whole frames, as a client parsing it alone needs. */
function wholeFrames(read: Buffer): TomlFrame[] {
  const tail = read.subarray(-60).toString();
  expect(read.at(-1) === 0x0a, `a read of ${read.length} bytes ends inside a frame: …${JSON.stringify(tail)}`).to.equal(true);
  return readFrames(utf8.decode(read));
}

const login = (user: TestUser, id: string) =>
  `[[r]] id = "${id}" t = "login" [r.user] id = ${user.id} d = "android" token = "${user.token}"`;
const messages = (frames: TomlFrame[]) => frames.filter((frame) => frame.type === 'm').map((frame) => frame.fields['c']);

describe('legacy IM port: one TLS record holds whole frames', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('a burst of 200 live frames of mixed sizes arrives as records that each parse alone', async () => {
    const alice = await imUser(t, 'alice', '8613100000011');
    const bob = await imUser(t, 'bob', '8613100000012');
    const sent = texts(200);
    const lines = sent.map((c) => Buffer.byteLength(writeFrameLine({ type: 'm', fields: { id: 'b_0', c, to: alice.id } })));
    expect(Math.max(...lines), 'every frame fits in a record').to.be.lessThan(RECORD_BYTES);
    expect(
      lines.reduce((a, b) => a + b),
      'the burst takes many records',
    ).to.be.greaterThan(20 * RECORD_BYTES);

    const reader = RecordReader.start(t.server.imPort, caFile, login(alice, 'r_login'));
    const frames: TomlFrame[] = [];
    let parsed = 0;
    const parse = (reads: readonly Buffer[]) => {
      for (; parsed < reads.length; parsed++) frames.push(...wholeFrames(reads[parsed]!));
    };
    try {
      await reader.until((reads) => (parse(reads), frames.some((frame) => frame.type === 'rr')));
      expect(frames.find((frame) => frame.type === 'rr')?.fields).to.deep.include({ id: 'r_login', s: 0 });
      await burst(t, bob, alice, sent);
      await reader.until((reads) => (parse(reads), messages(frames).length >= sent.length));
    } finally {
      await reader.stop();
    }
    expect(messages(frames)).to.deep.equal(sent);
    expect(reader.reads.every((read) => read.length <= RECORD_BYTES)).to.equal(true);
  });

  it('a frame over 16 KiB spans records on its own: the records around it still end on frame boundaries', async () => {
    const carol = await imUser(t, 'carol', '8613100000013');
    const dave = await imUser(t, 'dave', '8613100000014');
    const big = '🙂'.repeat(10_000);
    const sent = [...texts(40), big, ...texts(40)];
    const reader = RecordReader.start(t.server.imPort, caFile, login(carol, 'r_login_2'));
    const frames: TomlFrame[] = [];
    let carried: Buffer[] = [];
    let spanning = 0;
    let parsed = 0;
    const parse = (reads: readonly Buffer[]) => {
      for (; parsed < reads.length; parsed++) {
        const read = reads[parsed]!;
        if (carried.length === 0 && read.at(-1) === 0x0a) frames.push(...wholeFrames(read));
        else carried.push(read);
        if (carried.length > 0 && read.at(-1) === 0x0a) {
          // Only a frame too large for one record may be read in parts, and then it is alone in them.
          const whole = Buffer.concat(carried);
          carried = [];
          expect(whole.indexOf(0x0a), 'records read in parts hold one frame').to.equal(whole.length - 1);
          expect(whole.length).to.be.greaterThan(RECORD_BYTES);
          frames.push(...wholeFrames(whole));
          spanning++;
        }
      }
    };
    try {
      await reader.until((reads) => (parse(reads), frames.some((frame) => frame.type === 'rr')));
      await burst(t, dave, carol, sent);
      await reader.until((reads) => (parse(reads), messages(frames).length >= sent.length));
    } finally {
      await reader.stop();
    }
    expect(messages(frames)).to.deep.equal(sent);
    expect(spanning, 'the one frame over 16 KiB was read in parts').to.equal(1);
  });
});

describe('legacy IM port without TLS (ESCHAT_TLS=off)', () => {
  let t: TestServer;
  after(() => t.stop());

  it('delivers a burst of 200 live frames whole and in order', async () => {
    t = await startTestServer({ ESCHAT_TLS: 'off' });
    const alice = await imUser(t, 'alice', '8613100000021');
    const bob = await imUser(t, 'bob', '8613100000022');
    const sent = texts(200);
    const reader = RecordReader.start(t.server.imPort, caFile, login(alice, 'p_login'), { plain: true });
    // TCP keeps no record boundaries: what the client reads is parsed as one stream here.
    const stream = () => utf8.decode(Buffer.concat(reader.reads));
    const lines = () => reader.reads.reduce((count, read) => count + read.filter((byte) => byte === 0x0a).length, 0);
    try {
      await reader.until(() => lines() > 0);
      await burst(t, bob, alice, sent, true);
      await reader.until(() => lines() > sent.length);
    } finally {
      await reader.stop();
    }
    const frames = readFrames(stream());
    expect(frames[0]?.fields).to.deep.include({ id: 'p_login', s: 0 });
    expect(messages(frames)).to.deep.equal(sent);
  });
});
