/**
 * The EventStoreDB signal board: its contract against a real server when ESCHAT_TEST_EVENTSTORE
 * holds a connection string, and always against the stand-in server (stand-in-server.ts), with
 * the faults a real server cannot be made to show on demand: a subscription dropped, cancelled
 * or ended, appends refused.
 *
 * What the stand-in proves: the adapter's use of the real client (appends, a subscription to a
 * stream from its end and from a revision, a backwards read, stream metadata) and what it does
 * when those calls fail: it resubscribes, keeps the process alive, rejects only the failed post.
 * What it does not: the server's own semantics, above all that `$maxAge` is honoured and
 * scavenged (the stand-in keeps everything: the board's own expiry filter is what the contract
 * sees); only the run against a real server shows those.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { firstValueFrom, take, toArray } from 'rxjs';
import {
  EsdbSignalBoard,
  LASTING_SIGNALS_MAX_AGE_S,
  MAX_LASTING_SIGNAL_MS,
  MAX_SIGNAL_MS,
  SIGNALS_MAX_AGE_S,
} from '../../../src/store/esdb/esdb-signal-board.js';
import { openSignalBoard } from '../../../src/store/open-stores.js';
import type { BoardSignal, SignalBoard } from '../../../src/store/ports/signal-board.js';
import { signalBoardContract } from '../ports/signal-board.contract.js';
import { StandInServer } from './stand-in-server.js';

const connectionString = process.env.ESCHAT_TEST_EVENTSTORE;

// A place is a stream of its own, so the suite runs on a shared server.
if (connectionString === undefined || connectionString === '') {
  describe('SignalBoard contract: EventStoreDB', function () {
    it('runs the signal board contract when ESCHAT_TEST_EVENTSTORE holds a connection string', function () {
      this.skip();
    });
  });
} else {
  signalBoardContract(
    'EventStoreDB',
    async () => {
      const stream = `eschat-signals-test-${randomUUID()}`;
      return { open: () => EsdbSignalBoard.connect(connectionString, { stream }), dispose: async () => {} };
    },
    { deliveryTimeoutMs: 10_000 },
  );
}

let stand: StandInServer;
signalBoardContract('EventStoreDB stand-in', async () => {
  stand = await StandInServer.start();
  return { open: () => EsdbSignalBoard.connect(stand.connectionString), dispose: () => stand.stop() };
});

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const signal = (n: number): BoardSignal => ({ expiresAt: Date.now() + 60_000, body: { n } });

describe('EsdbSignalBoard (stand-in server)', function () {
  this.timeout(20_000);
  let server: StandInServer;
  let board: EsdbSignalBoard;
  const notices: string[] = [];
  beforeEach(async () => {
    server = await StandInServer.start();
    notices.length = 0;
    board = await EsdbSignalBoard.connect(server.connectionString, { backoffMs: 20, onNotice: (message) => notices.push(message) });
  });
  afterEach(async () => {
    await board.close();
    await server.stop();
  });

  it('sets $maxAge on each of its streams once, and subscribes to both after their last event (from the start of one that has none)', async () => {
    server.write('eschat-signals', 'Signal', signal(1));
    server.write('eschat-signals', 'Signal', signal(2));
    const again = await EsdbSignalBoard.connect(server.connectionString);
    await again.close();
    const metadata = (stream: string) =>
      server.log
        .filter((record) => record.stream === stream)
        .map((record) => JSON.parse(Buffer.from(record.data).toString('utf8')) as unknown);
    expect(metadata('$$eschat-signals')).to.deep.equal([{ $maxAge: SIGNALS_MAX_AGE_S }]);
    expect(metadata('$$eschat-signals-lasting')).to.deep.equal([{ $maxAge: LASTING_SIGNALS_MAX_AGE_S }]);
    expect(server.streamSubscriptions).to.have.deep.members([
      { stream: 'eschat-signals', from: -1 },
      { stream: 'eschat-signals-lasting', from: -1 },
      { stream: 'eschat-signals', from: 1 },
      { stream: 'eschat-signals-lasting', from: -1 },
    ]);
  });

  const faults: Array<[string, (stand: StandInServer) => void]> = [
    ['dropped (a transport error)', (s) => s.dropSubscriptions()],
    ['cancelled (a server shutting down)', (s) => s.cancelSubscriptions()],
    ['ended cleanly (a stream that just stops)', (s) => s.endSubscriptions()],
  ];
  for (const [fault, inject] of faults) {
    it(`resubscribes after the last revision seen when its subscription is ${fault}, and the process goes on`, async () => {
      const seen: BoardSignal[] = [];
      let failed: unknown;
      const subscription = board.signals.subscribe({ next: (s) => seen.push(s), error: (error: unknown) => (failed = error) });
      try {
        await board.post(signal(1));
        await until(() => seen.length === 1, 'the first signal');
        inject(server);
        await until(() => notices.length === 2, 'the drops of both streams to be noticed');
        server.write('eschat-signals', 'Signal', signal(2)); // another process's post, while down
        server.write('eschat-signals-lasting', 'Signal', signal(20)); // the first ever on the lasting stream
        await until(() => server.openSubscriptions === 2, 'the resubscriptions');
        await board.post(signal(3));
        await until(() => seen.length === 4, 'the signals after the drop');
        expect(seen.map((s) => s.body)).to.have.deep.members([{ n: 1 }, { n: 2 }, { n: 20 }, { n: 3 }]);
        expect(seen.map((s) => s.body).filter((body) => body['n'] !== 20)).to.deep.equal([{ n: 1 }, { n: 2 }, { n: 3 }]);
        const froms = (stream: string) => server.streamSubscriptions.filter((s) => s.stream === stream).map((s) => s.from);
        expect(froms('eschat-signals')).to.deep.equal([-1, 0]);
        expect(froms('eschat-signals-lasting')).to.deep.equal([-1, -1]);
        expect(failed).to.equal(undefined);
        expect(board.subscribed).to.equal(4);
      } finally {
        subscription.unsubscribe();
      }
    });
  }

  it('keeps resubscribing while the server drops it again and again, with backoff, never erroring signals', async () => {
    let failed: unknown;
    const subscription = board.signals.subscribe({ error: (error: unknown) => (failed = error) });
    try {
      for (let drop = 1; drop <= 3; drop++) {
        await until(() => server.openSubscriptions === 2, `subscriptions ${drop}`);
        server.dropSubscriptions();
      }
      await until(() => server.openSubscriptions === 2, 'the last resubscriptions');
      const seen = firstValueFrom(board.signals.pipe(take(1), toArray()));
      await board.post(signal(4));
      expect((await seen).map((s) => s.body)).to.deep.equal([{ n: 4 }]);
      expect(failed).to.equal(undefined);
      expect(board.subscribed).to.equal(8);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('outlives its server: posts fail and resubscriptions are retried while it is gone, and it follows again once it is back', async () => {
    let failed: unknown;
    const seen: BoardSignal[] = [];
    const subscription = board.signals.subscribe({ next: (s) => seen.push(s), error: (error: unknown) => (failed = error) });
    try {
      const port = server.port;
      await server.stop();
      await until(() => notices.length >= 3, 'resubscriptions to fail');
      let error: unknown;
      await board.post(signal(1)).catch((e: unknown) => (error = e));
      expect(error).to.be.an('error');
      server = await StandInServer.start(port);
      await until(() => server.openSubscriptions === 2, 'the resubscriptions to the server back', 15_000);
      await board.post(signal(2));
      await until(() => seen.length === 1, 'a signal once back');
      expect(seen.map((s) => s.body)).to.deep.equal([{ n: 2 }]);
      expect(failed).to.equal(undefined);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('rejects a post the server does not confirm, and goes on posting once it does', async () => {
    const seen = firstValueFrom(board.signals.pipe(take(2), toArray()));
    server.loseAppendReplies = 1;
    let error: unknown;
    await board.post(signal(1)).catch((e: unknown) => (error = e));
    expect(error).to.be.an('error');
    await board.post(signal(2));
    // The lost reply's event did land: the board shows it, as it would any landed signal.
    expect((await seen).map((s) => s.body)).to.deep.equal([{ n: 1 }, { n: 2 }]);
  });

  it('refuses a signal that would outlive what current() reads back, on either stream', async () => {
    let error: unknown;
    await board.post({ expiresAt: Date.now() + MAX_LASTING_SIGNAL_MS + 60_000, body: {} }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(RangeError);
    expect(server.log.filter((record) => record.stream.startsWith('eschat-signals'))).to.have.length(0);
  });

  it('posts what lives up to MAX_SIGNAL_MS (typing) only to eschat-signals, what lives longer (a last seen) only to the lasting stream', async () => {
    await board.post({ expiresAt: Date.now() + 6000, body: { kind: 'typing' } });
    await board.post({ expiresAt: Date.now() + MAX_SIGNAL_MS - 1000, body: { kind: 'presence' } });
    await board.post({ expiresAt: Date.now() + MAX_SIGNAL_MS + 1000, body: { kind: 'presence_offline' } });
    await board.post({ expiresAt: Date.now() + MAX_LASTING_SIGNAL_MS - 1000, body: { kind: 'presence_offline', last: true } });
    const kinds = (stream: string) =>
      server.log
        .filter((record) => record.stream === stream)
        .map((record) => (JSON.parse(Buffer.from(record.data).toString('utf8')) as BoardSignal).body);
    expect(kinds('eschat-signals')).to.deep.equal([{ kind: 'typing' }, { kind: 'presence' }]);
    expect(kinds('eschat-signals-lasting')).to.deep.equal([{ kind: 'presence_offline' }, { kind: 'presence_offline', last: true }]);
  });

  it('reads current() back only as far as a signal may live', async () => {
    server.write('eschat-signals', 'Signal', signal(1));
    (server.log.at(-1) as { created: number }).created = Date.now() - 2 * MAX_SIGNAL_MS; // posted long ago (a far future expiry)
    await board.post(signal(2));
    expect((await board.current()).map((s) => s.body)).to.deep.equal([{ n: 2 }]);
  });

  it('reads the lasting stream back only as far as a lasting signal may live, and drops its expired signals', async () => {
    const lasting = (n: number, livesMs: number) => ({ expiresAt: Date.now() + livesMs, body: { n } });
    server.write('eschat-signals-lasting', 'Signal', lasting(1, MAX_LASTING_SIGNAL_MS));
    (server.log.at(-1) as { created: number }).created = Date.now() - 2 * MAX_LASTING_SIGNAL_MS;
    server.write('eschat-signals-lasting', 'Signal', lasting(2, -1)); // expired, not yet scavenged
    server.write('eschat-signals-lasting', 'Signal', lasting(3, MAX_LASTING_SIGNAL_MS));
    (server.log.at(-1) as { created: number }).created = Date.now() - 2 * MAX_SIGNAL_MS; // old for the first stream, not for this one
    expect((await board.current()).map((s) => s.body)).to.deep.equal([{ n: 3 }]);
  });

  it('merges the two streams in current() by where the server stored each signal', async () => {
    await board.post(signal(1));
    await board.post({ expiresAt: Date.now() + MAX_LASTING_SIGNAL_MS - 1000, body: { n: 2 } });
    await board.post(signal(3));
    expect((await board.current()).map((s) => s.body)).to.deep.equal([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('skips what is not a signal in its stream', async () => {
    server.write('eschat-signals', 'SomethingElse', { n: 0 });
    await board.post(signal(1));
    expect((await board.current()).map((s) => s.body)).to.deep.equal([{ n: 1 }]);
  });
});

describe('openSignalBoard', function () {
  this.timeout(20_000);
  it('opens the board on the log when the log is EventStoreDB: processes with different data directories see each other', async () => {
    const server = await StandInServer.start();
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'eschat-board-host-')));
    const [one, two] = await Promise.all(dirs.map((dataDir) => openSignalBoard({ eventStore: server.connectionString, dataDir })));
    try {
      const seen = firstValueFrom((two as SignalBoard).signals);
      await (one as SignalBoard).post(signal(1));
      expect((await seen).body).to.deep.equal({ n: 1 });
    } finally {
      await Promise.all([one?.close(), two?.close()]);
      await server.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  });
});
