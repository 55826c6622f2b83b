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
import { EsdbSignalBoard, MAX_SIGNAL_MS, SIGNALS_MAX_AGE_S } from '../../../src/store/esdb/esdb-signal-board.js';
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

  it('sets $maxAge on its stream once, and subscribes from the end', async () => {
    const again = await EsdbSignalBoard.connect(server.connectionString);
    await again.close();
    const metadata = server.log.filter((record) => record.stream === '$$eschat-signals');
    expect(metadata.map((record) => JSON.parse(Buffer.from(record.data).toString('utf8')) as unknown)).to.deep.equal([
      { $maxAge: SIGNALS_MAX_AGE_S },
    ]);
    expect(server.streamSubscriptions).to.deep.equal([
      { stream: 'eschat-signals', from: 'end' },
      { stream: 'eschat-signals', from: 'end' },
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
        await until(() => notices.length === 1, 'the drop to be noticed');
        server.write('eschat-signals', 'Signal', signal(2)); // another process's post, while down
        await until(() => server.openSubscriptions === 1, 'the resubscription');
        await board.post(signal(3));
        await until(() => seen.length === 3, 'the signals after the drop');
        expect(seen.map((s) => s.body)).to.deep.equal([{ n: 1 }, { n: 2 }, { n: 3 }]);
        expect(server.streamSubscriptions.map((s) => s.from)).to.deep.equal(['end', 0]);
        expect(failed).to.equal(undefined);
        expect(board.subscribed).to.equal(2);
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
        await until(() => server.openSubscriptions === 1, `subscription ${drop}`);
        server.dropSubscriptions();
      }
      await until(() => server.openSubscriptions === 1, 'the last resubscription');
      const seen = firstValueFrom(board.signals.pipe(take(1), toArray()));
      await board.post(signal(4));
      expect((await seen).map((s) => s.body)).to.deep.equal([{ n: 4 }]);
      expect(failed).to.equal(undefined);
      expect(board.subscribed).to.equal(4);
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
      await until(() => server.openSubscriptions === 1, 'the resubscription to the server back', 15_000);
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

  it('refuses a signal that would outlive what current() reads back', async () => {
    let error: unknown;
    await board.post({ expiresAt: Date.now() + MAX_SIGNAL_MS + 60_000, body: {} }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(RangeError);
    expect(server.log.filter((record) => record.stream === 'eschat-signals')).to.have.length(0);
  });

  it('reads current() back only as far as a signal may live', async () => {
    server.write('eschat-signals', 'Signal', signal(1));
    (server.log.at(-1) as { created: number }).created = Date.now() - 2 * MAX_SIGNAL_MS; // posted long ago (a far future expiry)
    await board.post(signal(2));
    expect((await board.current()).map((s) => s.body)).to.deep.equal([{ n: 2 }]);
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
