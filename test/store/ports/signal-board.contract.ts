/**
 * The behaviour every SignalBoard adapter must have. Each adapter's test file calls
 * signalBoardContract with a factory of places: a place is one shared board (a file, a stream)
 * that several boards (processes) open. Each test takes a fresh place, so the suite also runs
 * against a shared server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { firstValueFrom, take, toArray } from 'rxjs';
import type { BoardSignal, SignalBoard } from '../../../src/store/ports/signal-board.js';

export interface BoardPlace {
  /** A board on this place, as one process opens it: subscribed once this resolves. */
  open(): Promise<SignalBoard>;
  dispose(): Promise<void>;
}

export interface SignalBoardContractOptions {
  /** How long a signal may take to reach the other board. Default 5 s. */
  deliveryTimeoutMs?: number;
}

export function signalBoardContract(name: string, place: () => Promise<BoardPlace>, options: SignalBoardContractOptions = {}): void {
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 5000;

  describe(`SignalBoard contract: ${name}`, function () {
    this.timeout(deliveryTimeoutMs * 3);
    let here: BoardPlace;
    const opened: SignalBoard[] = [];
    const open = async () => {
      const board = await here.open();
      opened.push(board);
      return board;
    };

    beforeEach(async () => {
      here = await place();
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((board) => board.close()));
      await here.dispose();
    });

    it('shows what one board posts to every board on the place, the poster too, in posting order', async () => {
      const [one, two] = [await open(), await open()];
      const onTwo = firstValueFrom(two.signals.pipe(take(3), toArray()));
      const onOne = firstValueFrom(one.signals.pipe(take(3), toArray()));
      for (const n of [1, 2, 3]) await one.post(signal(n, 60_000));
      expect((await within(onTwo, deliveryTimeoutMs)).map(bodyOf)).to.deep.equal([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect((await within(onOne, deliveryTimeoutMs)).map(bodyOf)).to.deep.equal([{ n: 1 }, { n: 2 }, { n: 3 }]);
    });

    it('carries the signal as posted: its expiry and its body', async () => {
      const [one, two] = [await open(), await open()];
      const seen = firstValueFrom(two.signals);
      const posted: BoardSignal = {
        expiresAt: Date.now() + 60_000,
        body: { kind: 'typing', roomId: 7, text: 'héllo 你好 привет', nested: { a: [1] } },
      };
      await one.post(posted);
      expect(await within(seen, deliveryTimeoutMs)).to.deep.equal(posted);
    });

    it('never shows a signal that has expired, on signals or in current()', async () => {
      const [one, two] = [await open(), await open()];
      const seen = firstValueFrom(two.signals.pipe(take(1), toArray()));
      await one.post(signal(1, -1));
      await one.post(signal(2, 60_000));
      expect((await within(seen, deliveryTimeoutMs)).map(bodyOf)).to.deep.equal([{ n: 2 }]);
      expect((await two.current()).map(bodyOf)).to.deep.equal([{ n: 2 }]);
    });

    it('drops a signal from current() once it expires', async () => {
      const one = await open();
      await one.post(signal(1, 400));
      await one.post(signal(2, 60_000));
      expect((await one.current()).map(bodyOf)).to.deep.equal([{ n: 1 }, { n: 2 }]);
      await sleep(500);
      expect((await one.current()).map(bodyOf)).to.deep.equal([{ n: 2 }]);
    });

    it('gives a board opened later what was posted before only through current(), in posting order', async () => {
      const one = await open();
      await one.post(signal(1, 60_000));
      await one.post(signal(2, 60_000));
      const late = await open();
      const seen = firstValueFrom(late.signals);
      await one.post(signal(3, 60_000));
      expect(bodyOf(await within(seen, deliveryTimeoutMs))).to.deep.equal({ n: 3 });
      expect((await late.current()).map(bodyOf)).to.deep.equal([{ n: 1 }, { n: 2 }, { n: 3 }]);
    });

    it('has nothing current on a place nobody posted to', async () => {
      expect(await (await open()).current()).to.deep.equal([]);
    });

    it('completes signals on close', async () => {
      const board = await open();
      const done = firstValueFrom(board.signals.pipe(toArray()));
      opened.splice(opened.indexOf(board), 1);
      await board.close();
      expect(await within(done, deliveryTimeoutMs)).to.deep.equal([]);
    });
  });
}

function signal(n: number, livesMs: number): BoardSignal {
  return { expiresAt: Date.now() + livesMs, body: { n } };
}

function bodyOf(signal: BoardSignal): Record<string, unknown> {
  return signal.body;
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
