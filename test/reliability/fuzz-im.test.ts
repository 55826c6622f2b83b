import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TomlFrame } from '../../src/codecs/im/toml-frame.js';
import { readFrames } from '../../src/codecs/im/toml-reader.js';
import { loadConfig } from '../../src/platform/config.js';
import type { Random } from '../codecs/im/random.js';
import { internalDetail } from '../support/answer-judge.js';
import { startBystanders } from '../support/bystanders.js';
import { fuzzRandom } from '../support/fuzz-seed.js';
import { TRUNCATED_PATIENCE_MS } from '../../src/codecs/im/frame-splitter.js';
import { chance, randomBytes } from '../support/hostile-values.js';
import { ImClient } from '../support/im-client.js';
import { LIVE_KINDS, LOGIN_KINDS, liveInput, loginInput, tomlString, type ImFuzzTargets } from '../support/im-fuzz.js';
import { scaled } from '../support/long-mode.js';
import { v1Group } from '../support/rooms.js';
import { errorLines } from '../support/server-log.js';
import { spawnServer, type ServerProcess } from '../support/spawn-server.js';
import { testCertificates } from '../support/test-server.js';
import { imUser, v1User, type TestUser } from '../support/users.js';

type Transport = 'WebSocket' | 'TLS';

/** The problems with what the server sent back to one input: every refusal is `s = 1` with a reason of its own words. */
function judgeReplies(frames: readonly TomlFrame[]): string[] {
  return frames.flatMap((frame) => {
    if (frame.type !== 'rr') return [];
    const { s, r } = frame.fields;
    if (s === 0) return [];
    if (s !== 1 || typeof r !== 'string' || r === '') return [`a refusal out of shape: ${JSON.stringify(frame.fields)}`];
    const leak = internalDetail(r);
    return leak === null ? [] : [`internals in a refusal: ${JSON.stringify(r)}`];
  });
}

/**
 * What the reader makes of one input: frames (before login, a login attempt), nothing at all
 * (blanks, comments), or an error (it does not parse, or is over the frame limit).
 */
function readingOf(text: string, frameBytes: number): 'frames' | 'nothing' | 'error' {
  if (Buffer.byteLength(text) > frameBytes) return 'error';
  try {
    return readFrames(text).length > 0 ? 'frames' : 'nothing';
  } catch {
    return 'error';
  }
}

/**
 * Thousands of generated malformed inputs on both IM transports, before and after login, while
 * two other users chat: every one is answered with a reason or ignored, a connection survives
 * whatever it is sent after login, and a refused login closes only that connection.
 */
describe('fuzzing the IM transports', () => {
  let dataDir: string;
  let server: ServerProcess;
  let fuzzer: TestUser;
  let peer: TestUser;
  let targets: ImFuzzTargets;
  const ca = () => readFileSync(join(testCertificates, 'ca.crt'));

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'eschat-fuzz-im-'));
    server = await spawnServer(dataDir, { ESCHAT_DURABILITY: 'normal' });
    fuzzer = await imUser(server, 'im fuzzer', '8613300000009');
    peer = await v1User(server, 'im-fuzz-peer');
    const mine = await v1Group(server, peer, 'with the fuzzer', [fuzzer]);
    const theirs = await v1Group(server, peer, 'without the fuzzer');
    const frameBytes = loadConfig({ env: {}, cwd: dataDir }).limits.frameBytes;
    targets = { self: fuzzer, userIds: [peer.id, fuzzer.id, 999_999], groupIds: [mine.id, theirs.id, 999_999], frameBytes };
  });
  afterEach(function () {
    // A crashed server explains the failures that follow: show what it wrote last.
    if (this.currentTest?.state === 'failed' && server.child.exitCode !== null) console.log(errorLines(server.logs).slice(-10).join('\n'));
  });
  after(async () => {
    await server.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const connect = (transport: Transport) =>
    transport === 'WebSocket' ? ImClient.websocket(`wss://localhost:${server.port}/im`, ca()) : ImClient.tls(server.imPort, ca());

  let swallowed = 0;

  /**
   * After an input, a probe message: what came before its acknowledgement answers the input.
   * TLS carries no framing: garbage may leave an array or a multi-line string open, which
   * swallows the probe until the reader gives up on the pending frame (the stream idle for a
   * while); then a second probe must get through.
   */
  async function probe(client: ImClient, transport: Transport, n: number): Promise<TomlFrame[]> {
    const acknowledged = (id: string, timeoutMs: number) => {
      client.send('m', { id, c: 'probe', to: peer.id });
      return client.next((frame) => frame.type === 'a' && frame.fields['id'] === id, timeoutMs);
    };
    if (transport === 'WebSocket') await acknowledged(`probe_${n}`, 5000);
    else {
      const first = await acknowledged(`probe_${n}`, 400).catch(() => null);
      if (first === null) {
        swallowed += 1;
        // The reader may wait seconds for the rest of a frame that looks cut short (an open string).
        await new Promise((resolve) => setTimeout(resolve, 100));
        await acknowledged(`probe_${n}_again`, 10_000);
      }
    }
    return client.frames.splice(0);
  }

  it('answers every malformed frame before and after login, over WebSocket and TLS, and keeps the connection', async function () {
    const inputs = scaled(2_000, 20_000);
    this.timeout(scaled(60_000, 600_000));
    const { random } = fuzzRandom('IM fuzz');
    const bystanders = await startBystanders(server, '8613300000010');
    const failures = new Map<string, string>();
    const note = (label: string, problems: readonly string[], input: string) => {
      for (const problem of problems) if (!failures.has(`${label}: ${problem}`)) failures.set(`${label}: ${problem}`, input.slice(0, 150));
    };
    const tried = new Map<string, number>();
    let sent = 0;
    let sessions = 0;
    while (sent < inputs) {
      const transport: Transport = sessions % 2 === 0 ? 'WebSocket' : 'TLS';
      sessions += 1;
      const client = await connect(transport);
      const loggedIn = await loginPhase(client, transport, random, (kind, problems, input) => {
        tried.set(kind, (tried.get(kind) ?? 0) + 1);
        sent += 1;
        note(`${transport} ${kind}`, problems, input);
      });
      if (loggedIn) {
        for (let i = 0; i < 20 + random.int(40) && sent < inputs; i++, sent++) {
          const { kind, text, bytes } = livePhaseInput(random, transport, sent);
          tried.set(kind, (tried.get(kind) ?? 0) + 1);
          client.sendRaw(bytes ?? (transport === 'TLS' ? `${text}\n` : text));
          const replies = await probe(client, transport, sent).catch((error: Error) => {
            note(`${transport} ${kind}`, [`the connection did not survive: ${error.message.slice(0, 120)}`], text);
            return null;
          });
          if (replies === null) break;
          note(`${transport} ${kind}`, judgeReplies(replies), text);
        }
      }
      client.close();
    }
    const round = await bystanders.stop();
    const kinds = [...LOGIN_KINDS, ...LIVE_KINDS, 'binary frame', 'oversized frame'];
    console.log(
      `      IM fuzz: ${sent} inputs in ${sessions} connections, ${swallowed} TLS probes swallowed by an open construct (${kinds.map((kind) => `${kind} ${tried.get(kind) ?? 0}`).join(', ')}); bystanders chatted ${round.rounds} rounds`,
    );
    expect([...failures].map(([problem, input]) => `${problem} (input: ${JSON.stringify(input)})`)).to.deep.equal([]);
    expect(round.failures, 'what the bystanders lost').to.deep.equal([]);
    expect(server.child.exitCode, 'the process is alive').to.equal(null);
    expect((await server.client.request('GET', '/health')).status).to.equal(200);
    expect(errorLines(server.logs), 'errors logged').to.deep.equal([]);
  });

  /**
   * Zero to two hostile inputs before login, each judged: a frame the reader can read is a login
   * attempt, refused (and the connection closed) unless it happens to be a valid login; what does
   * not read is answered and the connection waits for a login; blanks and comments are ignored.
   * Then a valid login, if still open.
   */
  async function loginPhase(
    client: ImClient,
    transport: Transport,
    random: Random,
    report: (kind: string, problems: string[], input: string) => void,
  ): Promise<boolean> {
    for (let i = random.int(3); i > 0; i--) {
      const input = loginInput(random, targets);
      client.sendRaw(transport === 'TLS' ? `${input.text}\n` : input.text);
      const reading = readingOf(input.text, targets.frameBytes);
      if (reading === 'nothing') {
        report(input.kind, [], input.text);
        continue;
      }
      // Over TLS a frame that looks cut (an open multi-line string) waits for its rest before it is refused.
      const patience = transport === 'TLS' ? TRUNCATED_PATIENCE_MS + 2000 : 3000;
      const reply = await client.next((frame) => frame.type === 'rr', patience).catch(() => null);
      const problems = reply === null ? ['no answer'] : judgeReplies([reply]);
      if (reply?.fields['s'] === 0) {
        report(input.kind, problems, input.text);
        return true;
      }
      if (reading === 'frames') {
        await client.next(() => false, 1000).catch(() => undefined);
        if (!client.closed) problems.push('a refused login left the connection open');
        report(input.kind, problems, input.text);
        return false;
      }
      report(input.kind, problems, input.text);
    }
    const login = await client.login(fuzzer, `fuzz-${transport}`);
    client.frames.splice(0);
    return login.fields['s'] === 0;
  }

  function livePhaseInput(random: Random, transport: Transport, n: number): { kind: string; text: string; bytes?: Buffer } {
    if (transport === 'WebSocket' && chance(random, 5))
      return { kind: 'binary frame', text: '(bytes)', bytes: randomBytes(random, 1 + random.int(500)) };
    if (chance(random, 3))
      return {
        kind: 'oversized frame',
        text: `[[m]] id = "big_${n}" c = ${tomlString('長'.repeat(targets.frameBytes / 3 + random.int(1000)))} to = ${peer.id}`,
      };
    return liveInput(random, targets, `f_${n}`);
  }

  it('survives the frames that once crashed it: tables where an id, a device or a token belongs', async () => {
    // Each one threw "Cannot convert object to primitive value" out of the socket's handler.
    const beforeLogin = [
      'id = { a = 1 } d = "x" token = "t"',
      `id = ${fuzzer.id} d = { a = 1 } token = "${fuzzer.token}"`,
      `id = ${fuzzer.id} d = "x" token = [1, { a = 1 }]`,
    ];
    for (const transport of ['WebSocket', 'TLS'] as const) {
      for (const user of beforeLogin) {
        const client = await connect(transport);
        client.sendRaw(`[[r]] id = "l" t = "login" [r.user] ${user}\n`);
        expect((await client.next((frame) => frame.type === 'rr')).fields, `${transport} ${user}`).to.include({ s: 1 });
        client.close();
      }
      const live = await connect(transport);
      expect((await live.login(fuzzer, `crash-${transport}`)).fields['s']).to.equal(0);
      live.sendRaw('[[a]] id = { a = 1 }\n[[a]] id = [[1], { b = 2 }]\n');
      await probe(live, transport, 0);
      live.close();
    }
    expect(server.child.exitCode, 'the process is alive').to.equal(null);
  });

  it('reads a frame split anywhere across TLS chunks, multi-byte characters included, once and byte for byte', async function () {
    const frames = scaled(60, 600);
    this.timeout(scaled(30_000, 300_000));
    const { random } = fuzzRandom('IM split frames');
    const sender = await connect('TLS');
    expect((await sender.login(fuzzer, 'fuzz-split')).fields['s']).to.equal(0);
    const receiver = await connect('WebSocket');
    expect((await receiver.login(peer, 'fuzz-split-peer')).fields['s']).to.equal(0);
    for (let n = 0; n < frames; n++) {
      const text = `split ${n} "🙂 中文 \\ é"\n${'ü'.repeat(random.int(50))}`;
      const line = Buffer.from(`[[m]] id = "split_${n}" c = ${tomlString(text)} to = ${peer.id}\n`);
      const cuts = Array.from({ length: 1 + random.int(5) }, () => random.int(line.length)).sort((a, b) => a - b);
      let from = 0;
      for (const cut of [...cuts, line.length]) {
        sender.sendRaw(line.subarray(from, cut));
        from = cut;
        // Separate writes, close together: the reader waits a little (10 ms) for the rest of a frame.
        await new Promise((resolve) => setTimeout(resolve, random.pick([0, 0, 1])));
      }
      await sender.next((frame) => frame.type === 'a' && frame.fields['id'] === `split_${n}`);
      const received = await receiver.next((frame) => frame.type === 'm' && frame.fields['id'] === `split_${n}`);
      expect(received.fields['c']).to.equal(text);
      receiver.ack(received, 'fuzz-split-peer');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(
      sender.frames.filter((frame) => frame.type === 'rr'),
      'refusals',
    ).to.deep.equal([]);
    expect(
      receiver.frames.filter((frame) => frame.type === 'm' && String(frame.fields['id']).startsWith('split_')),
      'duplicates',
    ).to.deep.equal([]);
    console.log(`      IM split frames: ${frames} frames in up to 6 chunks each, each read once`);
    sender.close();
    receiver.close();
  });

  it("reads a frame written in two pieces by a client with Nagle's algorithm, whose second piece waits for an ACK", async () => {
    const sender = await ImClient.tls(server.imPort, ca(), { nagle: true });
    expect((await sender.login(fuzzer, 'fuzz-nagle')).fields['s']).to.equal(0);
    for (let n = 0; n < 5; n++) {
      sender.sendRaw(`[[m]] id = "nagle_${n}" `);
      sender.sendRaw(`c = "two writes" to = ${peer.id}\n`);
      const answer = await sender.next((frame) => (frame.type === 'a' || frame.type === 'rr') && frame.fields['id'] === `nagle_${n}`);
      expect(answer.type, JSON.stringify(answer.fields)).to.equal('a');
    }
    sender.close();
  });

  it('drops only the connection that sends a WebSocket message past the payload bound, not the server', async () => {
    const client = await connect('WebSocket');
    expect((await client.login(fuzzer, 'fuzz-huge')).fields['s']).to.equal(0);
    client.sendRaw(`[[m]] id = "huge" c = "${'x'.repeat(2 * 1024 * 1024)}" to = ${peer.id}`);
    await client.next(() => false, 3000).catch(() => undefined);
    expect(client.closed, 'the WebSocket library closes it (1009)').to.equal(true);
    const next = await connect('WebSocket');
    expect((await next.login(fuzzer, 'fuzz-huge')).fields['s']).to.equal(0);
    next.close();
  });
});
