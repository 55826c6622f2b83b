import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { firstValueFrom, take, toArray } from 'rxjs';
import type { StoredEvent } from '../../../src/events/eschat-event.js';
import type { NewEvent } from '../../../src/events/recorded-event.js';
import { WrongExpectedVersionError } from '../../../src/store/ports/event-store.js';
import type { ThreadedPageWork } from '../../../src/store/ports/page-work.js';
import { SqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { eventStoreContract } from '../ports/event-store.contract.js';

// Tests run from dist-*/test/store, where the fixture is compiled beside this file.
const CHILD_SCRIPT = fileURLToPath(new URL('./fixtures/sqlite-append-child.js', import.meta.url));

describe('SqliteEventStore', function () {
  let dir: string;
  const freshFile = (): string => path.join(dir, `${randomUUID()}.db`);

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eschat-sqlite-'));
  });

  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Tiny catch-up pages make the racing appends of the contract cross many page boundaries.
  eventStoreContract('sqlite, durability full, 7-event catch-up pages', async () =>
    SqliteEventStore.open({ file: freshFile(), durability: 'full', catchUpPageSize: 7 }),
  );
  eventStoreContract('sqlite, durability normal', async () => SqliteEventStore.open({ file: freshFile(), durability: 'normal' }));

  describe('specific to SQLite', function () {
    const open = (file = freshFile(), catchUpPageSize?: number): SqliteEventStore =>
      SqliteEventStore.open({ file, durability: 'normal', catchUpPageSize });

    it('with durability full, closing while the log syncs still resolves every append, and keeps the events', async function () {
      const file = freshFile();
      const durable = SqliteEventStore.open({ file, durability: 'full' });
      const appends = ['A', 'B', 'C'].map((type, i) => durable.append(`s-${i}`, [event(type)]));
      // Let the first commit start its sync, then close before it can end.
      await new Promise((resolve) => setImmediate(resolve));
      await durable.close();
      const results = await Promise.all(appends);
      expect(results.map((result) => result.position)).to.deep.equal([1, 2, 3]);
      const reopened = open(file);
      try {
        expect((await reopened.readAll()).map((recorded) => recorded.type)).to.deep.equal(['A', 'B', 'C']);
      } finally {
        await reopened.close();
      }
    });

    it('opens a log in memory with durability full (nothing to sync) and appends to it', async function () {
      const memory = SqliteEventStore.open({ file: ':memory:', durability: 'full' });
      try {
        expect((await memory.append('s-1', [event('A')])).position).to.equal(1);
        expect((await memory.readAll()).map((recorded) => recorded.type)).to.deep.equal(['A']);
      } finally {
        await memory.close();
      }
    });

    it('catches up from far behind on the page thread: every event once, in order, the same as read, then live ones', async function () {
      const store = open(freshFile(), 10);
      try {
        for (let i = 0; i < 25; i++)
          await store.append(
            `s-${i % 3}`,
            Array.from({ length: 10 }, (_, j) => event(`E${i}-${j}`)),
          );
        const stored = await store.readAll();
        const seen: StoredEvent[] = [];
        const subscription = store.subscribe(3).subscribe((recorded) => seen.push(recorded));
        await waitUntil(() => seen.length === stored.length - 3);
        await store.append('s-live', [event('Live')]);
        await waitUntil(() => seen.length === stored.length - 2);
        subscription.unsubscribe();
        expect(seen.slice(0, -1)).to.deep.equal(stored.slice(3));
        expect(seen.at(-1)?.type).to.equal('Live');
      } finally {
        await store.close();
      }
    });

    it('loses nothing appended while the page thread reads ahead: pages read early are followed by what came after', async function () {
      const store = open(freshFile(), 10);
      try {
        for (let i = 0; i < 8; i++)
          await store.append(
            's-1',
            Array.from({ length: 10 }, (_, j) => event(`E${i}-${j}`)),
          );
        const seen: StoredEvent[] = [];
        const subscription = store.subscribe(0).subscribe((recorded) => seen.push(recorded));
        // Appended while the catch-up runs, some before and some after the thread read ahead.
        for (let i = 0; i < 30; i++) {
          await store.append(
            `s-${i % 4}`,
            Array.from({ length: 3 }, (_, j) => event(`Late${i}-${j}`)),
          );
          await sleep(1);
        }
        const stored = await store.readAll();
        await waitUntil(() => seen.length >= stored.length);
        await sleep(20);
        subscription.unsubscribe();
        expect(seen.map((recorded) => recorded.position)).to.deep.equal(stored.map((recorded) => recorded.position));
      } finally {
        await store.close();
      }
    });

    it('stops a catch-up on the page thread when unsubscribed, and closes while one is under way', async function () {
      const store = open(freshFile(), 10);
      for (let i = 0; i < 20; i++)
        await store.append(
          's-1',
          Array.from({ length: 10 }, (_, j) => event(`E${i}-${j}`)),
        );
      const seen: StoredEvent[] = [];
      const subscription = store.subscribe(0).subscribe((recorded) => {
        seen.push(recorded);
        if (seen.length === 15) subscription.unsubscribe();
      });
      // Until the 15th arrives (a loaded machine may take long to start the thread), then long enough for more to show.
      await waitUntil(() => seen.length >= 15);
      await sleep(100);
      expect(seen.map((recorded) => recorded.position)).to.deep.equal(Array.from({ length: 15 }, (_, i) => i + 1));
      let completed = false;
      store.subscribe(0).subscribe({ complete: () => (completed = true) });
      await store.close();
      await waitUntil(() => completed);
      expect(completed).to.equal(true);
    });

    it('does the work it is given on the pages read on the thread, in order, and reads a page again, as stored, when its work no longer holds', async function () {
      const store = open(freshFile(), 10);
      const work = (module: string, current: boolean): ThreadedPageWork => ({
        module,
        start: () => ({ data: 7, transfer: [] }),
        current: (stamp) => current && stamp === 7,
      });
      const marker = new URL('./fixtures/marking-page-work.js', import.meta.url).href;
      const worked = (recorded: StoredEvent) => (recorded.data as { worked?: boolean }).worked === true;
      try {
        for (let i = 0; i < 10; i++)
          await store.append(
            's-1',
            Array.from({ length: 10 }, (_, j) => event(`E${i}-${j}`)),
          );
        const stored = await store.readAll();
        const read = (pageWork: ThreadedPageWork) => firstValueFrom(store.subscribe(0, { pageWork }).pipe(take(100), toArray()));
        const marked = await read(work(marker, true));
        expect(marked.map((recorded) => recorded.type)).to.deep.equal(stored.map((recorded) => recorded.type));
        // The thread may leave the end of a page to a quicker subscriber; a fresh thread's first page is done whole.
        expect(marked.slice(0, 10).every(worked)).to.equal(true);
        for (const [i, recorded] of marked.entries())
          expect(recorded.data).to.deep.equal(worked(recorded) ? { ...(stored[i]!.data as object), worked: true } : stored[i]!.data);
        // Work that no longer holds, and work whose module cannot be loaded: every event as stored.
        expect(await read(work(marker, false))).to.deep.equal(stored);
        expect(await read(work(new URL('./fixtures/no-such-work.js', import.meta.url).href, true))).to.deep.equal(stored);
      } finally {
        await store.close();
      }
    });

    it('creates the directory of its file', async function () {
      const file = path.join(dir, randomUUID(), 'nested', 'events.db');
      const store = open(file);
      await store.append('s-1', [event('A')]);
      await store.close();
      expect(fs.existsSync(file)).to.equal(true);
    });

    it('keeps its events across close and reopen, and continues after them', async function () {
      const file = freshFile();
      const first = open(file);
      await first.append('room-1', [event('A'), event('B')]);
      await first.append('room-2', [event('C')]);
      const stored = await first.readAll();
      await first.close();

      const second = open(file);
      try {
        expect(await second.readAll()).to.deep.equal(stored);
        expect(await second.headPosition()).to.equal(3);
        const next = await second.append('room-1', [event('D')], { expectedRevision: 1 });
        expect(next).to.deep.equal({ nextRevision: 2, position: 4 });
        const replayed: StoredEvent[] = [];
        const subscription = second.subscribe(0).subscribe((e) => replayed.push(e));
        subscription.unsubscribe();
        expect(replayed.map((e) => e.type)).to.deep.equal(['A', 'B', 'C', 'D']);
      } finally {
        await second.close();
      }
    });

    it('commits the appends of one tick in one batch, each checked after the earlier ones', async function () {
      const store = open();
      try {
        const [a, b, c, d, e] = await Promise.allSettled([
          store.append('s-1', [event('A')], { expectedRevision: 'no_stream' }),
          store.append('s-1', [event('B')], { expectedRevision: 'no_stream' }),
          store.append('s-1', [event('C')], { expectedRevision: 0 }),
          store.append('s-2', [event('D')], { expectedRevision: 'stream_exists' }),
          store.append('s-2', [event('E')], { expectedRevision: 'no_stream' }),
        ]);
        expect(a).to.deep.equal({ status: 'fulfilled', value: { nextRevision: 0, position: 1 } });
        expect(c).to.deep.equal({ status: 'fulfilled', value: { nextRevision: 1, position: 2 } });
        expect(e).to.deep.equal({ status: 'fulfilled', value: { nextRevision: 0, position: 3 } });
        expect(b?.status === 'rejected' && b.reason)
          .to.be.instanceOf(WrongExpectedVersionError)
          .and.include({ actual: 0 });
        expect(d?.status === 'rejected' && d.reason)
          .to.be.instanceOf(WrongExpectedVersionError)
          .and.include({ actual: 'no_stream' });
      } finally {
        await store.close();
      }
    });

    it('refuses only the append that repeats an event id, undoing all of its events', async function () {
      const store = open();
      const id = randomUUID();
      try {
        const [first, several, other, single, after] = await Promise.allSettled([
          store.append('s-1', [{ ...event('A'), id }]),
          store.append('s-2', [event('B'), { ...event('C'), id }]),
          store.append('s-3', [event('D')]),
          store.append('s-4', [{ ...event('E'), id }]),
          // The same batch: s-2 is still empty after the refused append, and s-1 stands at revision 0.
          store.append('s-2', [event('F')], { expectedRevision: 'no_stream' }),
        ]);
        const [then] = await Promise.allSettled([store.append('s-1', [event('G')], { expectedRevision: 0 })]);
        expect(first?.status).to.equal('fulfilled');
        expect(other).to.deep.equal({ status: 'fulfilled', value: { nextRevision: 0, position: 2 } });
        expect(after).to.deep.equal({ status: 'fulfilled', value: { nextRevision: 0, position: 3 } });
        expect(then).to.deep.equal({ status: 'fulfilled', value: { nextRevision: 1, position: 4 } });
        expect(several?.status === 'rejected' && String(several.reason)).to.match(/UNIQUE/);
        expect(single?.status === 'rejected' && String(single.reason)).to.match(/UNIQUE/);
        expect((await store.readStream('s-2')).map((e) => e.type)).to.deep.equal(['F']);
        expect(await store.readStream('s-4')).to.deep.equal([]);
        expect(await store.headPosition()).to.equal(4);
      } finally {
        await store.close();
      }
    });

    it('commits pending appends when closed, then refuses new ones', async function () {
      const file = freshFile();
      const store = open(file);
      const pending = store.append('s-1', [event('A')]);
      await store.close();
      expect(await pending).to.deep.equal({ nextRevision: 0, position: 1 });
      let refused: unknown;
      await store.append('s-1', [event('B')]).catch((error: unknown) => (refused = error));
      expect(String(refused)).to.match(/SqliteEventStore is closed/);
      const reopened = open(file);
      expect((await reopened.readStream('s-1')).map((e) => e.type)).to.deep.equal(['A']);
      await reopened.close();
    });

    it('releases a subscriber on unsubscribe, during catch-up or live', async function () {
      const store = open(freshFile(), 2);
      try {
        await store.append(
          's-1',
          ['A', 'B', 'C', 'D', 'E'].map((type) => event(type)),
        );
        const catchingUp: string[] = [];
        const early = store.subscribe(0).subscribe((e) => catchingUp.push(e.type));
        early.unsubscribe();
        await sleep(10);
        expect(catchingUp).to.deep.equal(['A', 'B']);
        expect(store.liveSubscriberCount).to.equal(0);

        const live = store.subscribe(0).subscribe();
        await sleep(10);
        expect(store.liveSubscriberCount).to.equal(1);
        live.unsubscribe();
        expect(store.liveSubscriberCount).to.equal(0);
      } finally {
        await store.close();
      }
    });

    it('completes its subscribers when closed', async function () {
      const store = open();
      let completed = false;
      store.subscribe(0).subscribe({ complete: () => (completed = true) });
      await store.close();
      expect(completed).to.equal(true);
      expect(store.liveSubscriberCount).to.equal(0);
    });

    it('subscribes from beyond the head without holding back subscribers from earlier positions', async function () {
      const store = open();
      const ahead: StoredEvent[] = [];
      const fromStart: StoredEvent[] = [];
      const first = store.subscribe(1000).subscribe((e) => ahead.push(e));
      const second = store.subscribe(0).subscribe((e) => fromStart.push(e));
      try {
        await store.append('s-1', [event('A'), event('B')]);
        await store.append('s-1', [event('C')]);
        expect(fromStart.map((e) => e.position)).to.deep.equal([1, 2, 3]);
        expect(ahead).to.deep.equal([]);
      } finally {
        first.unsubscribe();
        second.unsubscribe();
        await store.close();
      }
    });

    it('gives a late subscriber what another connection committed once, although the feed sends it again', async function () {
      const file = freshFile();
      // A slow poll, so the late subscriber reads their events before the feed emits them.
      const mine = SqliteEventStore.open({ file, durability: 'normal', pollIntervalMs: 50 });
      const theirs = open(file);
      const early: StoredEvent[] = [];
      const late: StoredEvent[] = [];
      const earlySubscription = mine.subscribe(0).subscribe((e) => early.push(e));
      try {
        await theirs.append('theirs', [event('T1'), event('T2')]);
        const lateSubscription = mine.subscribe(0).subscribe((e) => late.push(e));
        expect(late.map((e) => e.type)).to.deep.equal(['T1', 'T2']);
        await mine.append('mine', [event('M')]);
        await sleep(120);
        lateSubscription.unsubscribe();
        expect(late.map((e) => e.type)).to.deep.equal(['T1', 'T2', 'M']);
        expect(early.map((e) => e.type)).to.deep.equal(['T1', 'T2', 'M']);
      } finally {
        earlySubscription.unsubscribe();
        await mine.close();
        await theirs.close();
      }
    });

    it('interleaves appends of two connections to one file without gap or duplicate', async function () {
      const file = freshFile();
      const mine = open(file);
      const theirs = open(file);
      const seen: StoredEvent[] = [];
      const subscription = mine.subscribe(0).subscribe((e) => seen.push(e));
      try {
        for (let i = 0; i < 20; i++) {
          // Theirs commits first, so my own commit finds a gap and must read theirs from the file.
          await Promise.all([theirs.append('theirs', [event('T')]), mine.append('mine', [event('M'), event('M')])]);
        }
        const deadline = Date.now() + 1000;
        while (seen.length < 60 && Date.now() < deadline) await sleep(2);
        expect(seen.map((e) => e.position)).to.deep.equal(range(1, 60));
        expect(seen.filter((e) => e.stream === 'theirs')).to.have.length(20);
        expect(seen).to.deep.equal(await mine.readAll());
      } finally {
        subscription.unsubscribe();
        await mine.close();
        await theirs.close();
      }
    });

    it('shares one file between two processes: each sees every event of both, once, in order, promptly', async function () {
      const file = freshFile();
      const perProcess = 50;
      const total = 2 * perProcess;
      const store = open(file);
      const seen: { event: StoredEvent; arrived: number }[] = [];
      const subscription = store.subscribe(0).subscribe((e) => seen.push({ event: e, arrived: Date.now() }));
      const child = spawn(process.execPath, [CHILD_SCRIPT, file, 'child', String(perProcess), String(total)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = once(child, 'exit');
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      try {
        expect((await lines.next()).value, stderr).to.equal('ready');
        for (let i = 0; i < perProcess; i++) {
          await store.append('parent', [event('ParentAppended')], { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
          await sleep(1);
        }
        const childReport = (await lines.next()).value as string | undefined;
        const [exitCode] = (await exited) as [number | null];
        expect(exitCode, stderr).to.equal(0);
        const deadline = Date.now() + 1000;
        while (seen.length < total && Date.now() < deadline) await sleep(2);

        const positions = seen.map((s) => s.event.position);
        expect(positions).to.deep.equal(range(1, total));
        expect(new Set(seen.map((s) => s.event.id)).size).to.equal(total);
        const fromChild = seen.filter((s) => s.event.stream === 'child');
        expect(fromChild).to.have.length(perProcess);
        expect(JSON.parse(childReport ?? 'null')).to.deep.equal(seen.map((s) => [s.event.position, s.event.id]));
        // The poll interval is 5 ms; a second leaves room for a loaded machine.
        const slowest = Math.max(...fromChild.map((s) => s.arrived - s.event.created));
        expect(slowest).to.be.below(1000);
      } finally {
        subscription.unsubscribe();
        child.kill();
        await store.close();
      }
    });
  });
});

function event(type: string): NewEvent {
  return { type, data: { type }, metadata: { correlationId: randomUUID(), at: new Date().toISOString() } };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

async function waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1600 && !done(); i++) await sleep(5);
}
