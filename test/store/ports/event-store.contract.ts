/**
 * The behaviour every EventStore adapter must have. Each adapter's test file calls
 * eventStoreContract with a factory. Stream names carry a random suffix and reads of the
 * global log are bounded by position and stream prefix, so the suite also runs against a
 * shared EventStoreDB that holds other events.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import type { Observable, Subscription } from 'rxjs';
import type { StoredEvent } from '../../../src/events/eschat-event.js';
import type { EventMetadata, NewEvent } from '../../../src/events/recorded-event.js';
import { WrongExpectedVersionError, type AppendResult, type EventStore } from '../../../src/store/ports/event-store.js';

export interface ContractOptions {
  /** How long to wait for a subscription to deliver what was appended. Default 5 s. */
  deliveryTimeoutMs?: number;
  /** How long to watch a closed subscription for stray events. Default 100 ms. */
  quietPeriodMs?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function eventStoreContract(name: string, open: () => Promise<EventStore>, options: ContractOptions = {}): void {
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 5000;
  const quietPeriodMs = options.quietPeriodMs ?? 100;

  describe(`EventStore contract: ${name}`, function () {
    let store: EventStore;

    beforeEach(async function () {
      store = await open();
    });

    afterEach(async function () {
      await store.close();
    });

    describe('append and readStream', function () {
      it('round-trips every field of the recorded events', async function () {
        const stream = unique('roundtrip');
        const explicitId = randomUUID();
        const first = newEvent('Tested', { text: 'héllo 👋', n: 42, f: 1.5, ok: true, none: null, list: [1, 'two', { three: 3 }] });
        first.id = explicitId;
        const second = newEvent('Retested', { again: true });
        const before = Date.now();
        const result = await store.append(stream, [first, second]);
        const after = Date.now();

        const events = await store.readStream(stream);
        expect(events).to.have.length(2);
        const [a, b] = events as [StoredEvent, StoredEvent];
        expect(a.id).to.equal(explicitId);
        expect(b.id).to.match(UUID);
        expect(a.stream).to.equal(stream);
        expect(b.stream).to.equal(stream);
        expect([a.revision, b.revision]).to.deep.equal([0, 1]);
        expect([a.type, b.type]).to.deep.equal(['Tested', 'Retested']);
        expect(a.data).to.deep.equal(first.data);
        expect(b.data).to.deep.equal(second.data);
        expect(a.metadata).to.deep.equal(first.metadata);
        expect(b.metadata).to.deep.equal(second.metadata);
        expect(a.position).to.be.a('number').greaterThan(0);
        expect(b.position).to.be.greaterThan(a.position);
        // Generous: a remote server's clock may differ from ours a little.
        expect(a.created).to.be.within(before - 60_000, after + 60_000);
        expect(b.created).to.be.at.least(a.created);
        expect(result).to.deep.equal({ nextRevision: 1, position: b.position });
      });

      it('returns an empty array for a stream that does not exist', async function () {
        expect(await store.readStream(unique('missing'))).to.deep.equal([]);
      });

      it('continues revisions across appends and reports the last event', async function () {
        const stream = unique('continue');
        await store.append(stream, [newEvent('A'), newEvent('B')]);
        const result = await store.append(stream, [newEvent('C')]);
        const events = await store.readStream(stream);
        expect(events.map((e) => [e.type, e.revision])).to.deep.equal([
          ['A', 0],
          ['B', 1],
          ['C', 2],
        ]);
        expect(result).to.deep.equal({ nextRevision: 2, position: events[2]?.position });
      });
    });

    describe('expected revision', function () {
      it("'no_stream' succeeds on a new stream and refuses an existing one", async function () {
        const stream = unique('nostream');
        expect(await store.append(stream, [newEvent('A')], { expectedRevision: 'no_stream' })).to.include({ nextRevision: 0 });
        const error = await rejection(store.append(stream, [newEvent('B')], { expectedRevision: 'no_stream' }));
        expectWrongVersion(error, stream, 'no_stream', 0);
        expect(await store.readStream(stream)).to.have.length(1);
      });

      it("'stream_exists' refuses a missing stream and succeeds on an existing one", async function () {
        const stream = unique('exists');
        const error = await rejection(store.append(stream, [newEvent('A')], { expectedRevision: 'stream_exists' }));
        expectWrongVersion(error, stream, 'stream_exists', 'no_stream');
        expect(await store.readStream(stream)).to.deep.equal([]);
        await store.append(stream, [newEvent('A')]);
        expect(await store.append(stream, [newEvent('B')], { expectedRevision: 'stream_exists' })).to.include({ nextRevision: 1 });
      });

      it('a revision number succeeds when it is the last revision and refuses otherwise', async function () {
        const stream = unique('revision');
        await store.append(stream, [newEvent('A'), newEvent('B')]);
        expectWrongVersion(await rejection(store.append(stream, [newEvent('C')], { expectedRevision: 0 })), stream, 0, 1);
        expectWrongVersion(await rejection(store.append(stream, [newEvent('C')], { expectedRevision: 2 })), stream, 2, 1);
        const missing = unique('revision-missing');
        expectWrongVersion(await rejection(store.append(missing, [newEvent('C')], { expectedRevision: 0 })), missing, 0, 'no_stream');
        expect(await store.append(stream, [newEvent('C')], { expectedRevision: 1 })).to.include({ nextRevision: 2 });
        expect((await store.readStream(stream)).map((e) => e.type)).to.deep.equal(['A', 'B', 'C']);
      });

      it("'any' (the default) succeeds on missing and existing streams", async function () {
        const stream = unique('any');
        expect(await store.append(stream, [newEvent('A')], { expectedRevision: 'any' })).to.include({ nextRevision: 0 });
        expect(await store.append(stream, [newEvent('B')])).to.include({ nextRevision: 1 });
      });

      it('an empty append writes nothing, still checks the revision, and reports where the stream is', async function () {
        const stream = unique('empty');
        expect(await store.append(stream, [], { expectedRevision: 'no_stream' })).to.deep.equal({ nextRevision: -1, position: 0 });
        const written = await store.append(stream, [newEvent('A'), newEvent('B')]);
        expect(await store.append(stream, [], { expectedRevision: 1 })).to.deep.equal(written);
        expectWrongVersion(await rejection(store.append(stream, [], { expectedRevision: 'no_stream' })), stream, 'no_stream', 1);
        expect(await store.readStream(stream)).to.have.length(2);
      });

      it('refuses only the conflicting one of concurrent appends', async function () {
        const contested = unique('contested');
        const others = [unique('other'), unique('other')] as const;
        const [first, second, third, fourth] = await Promise.allSettled([
          store.append(contested, [newEvent('First')], { expectedRevision: 'no_stream' }),
          store.append(contested, [newEvent('Second')], { expectedRevision: 'no_stream' }),
          store.append(others[0], [newEvent('Other'), newEvent('Other')], { expectedRevision: 'no_stream' }),
          store.append(others[1], [newEvent('Other')]),
        ]);
        const contestants = [first, second];
        expect(contestants.filter((r) => r?.status === 'fulfilled')).to.have.length(1);
        const refused = contestants.find((r): r is PromiseRejectedResult => r?.status === 'rejected');
        expectWrongVersion(refused?.reason, contested, 'no_stream', 0);
        expect(third?.status).to.equal('fulfilled');
        expect(fourth?.status).to.equal('fulfilled');
        expect(await store.readStream(contested)).to.have.length(1);
        expect(await store.readStream(others[0])).to.have.length(2);
      });
    });

    describe('positions', function () {
      it('are strictly increasing across streams, and each append reports its last event', async function () {
        const prefix = unique('order');
        const before = await store.headPosition();
        const sequential: AppendResult[] = [];
        for (let i = 0; i < 5; i++) sequential.push(await store.append(`${prefix}-${i % 2}`, [newEvent('E'), newEvent('E')]));
        const concurrent = await Promise.all(Array.from({ length: 10 }, (_, i) => store.append(`${prefix}-c${i}`, [newEvent('E')])));
        const all = await store.readAll({ from: before, filter: { streamPrefixes: [prefix] } });
        expect(all).to.have.length(20);
        expectStrictlyIncreasing(all.map((e) => e.position));
        for (let i = 1; i < sequential.length; i++) {
          expect(sequential[i]?.position).to.be.greaterThan(sequential[i - 1]?.position ?? Infinity);
        }
        const positions = new Set(all.map((e) => e.position));
        for (const result of [...sequential, ...concurrent]) expect(positions.has(result.position)).to.equal(true);
        for (const result of concurrent) {
          const event = all.find((e) => e.position === result.position);
          expect(event?.revision).to.equal(result.nextRevision);
        }
        expect(await store.headPosition()).to.be.at.least(all[all.length - 1]?.position ?? Infinity);
      });
    });

    describe('readStream options', function () {
      let stream: string;
      beforeEach(async function () {
        stream = unique('paging');
        await store.append(
          stream,
          ['E0', 'E1', 'E2', 'E3', 'E4'].map((type) => newEvent(type)),
        );
      });

      const revisions = (events: StoredEvent[]) => events.map((e) => e.revision);

      it('reads forwards from a revision, inclusive, up to maxCount', async function () {
        expect(revisions(await store.readStream(stream, { direction: 'forwards' }))).to.deep.equal([0, 1, 2, 3, 4]);
        expect(revisions(await store.readStream(stream, { fromRevision: 2 }))).to.deep.equal([2, 3, 4]);
        expect(revisions(await store.readStream(stream, { maxCount: 2 }))).to.deep.equal([0, 1]);
        expect(revisions(await store.readStream(stream, { fromRevision: 3, maxCount: 1 }))).to.deep.equal([3]);
        expect(await store.readStream(stream, { fromRevision: 5 })).to.deep.equal([]);
      });

      it('reads backwards from the end or from a revision, inclusive, up to maxCount', async function () {
        expect(revisions(await store.readStream(stream, { direction: 'backwards' }))).to.deep.equal([4, 3, 2, 1, 0]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 2 }))).to.deep.equal([2, 1, 0]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', maxCount: 2 }))).to.deep.equal([4, 3]);
        expect(await store.readStream(unique('missing'), { direction: 'backwards' })).to.deep.equal([]);
      });
    });

    describe('readAll', function () {
      let prefix: string;
      let before: number;
      let ours: StoredEvent[];

      beforeEach(async function () {
        prefix = unique('all');
        before = await store.headPosition();
        await store.append(`${prefix}a-1`, [newEvent('X'), newEvent('Y')]);
        await store.append(`${prefix}b-1`, [newEvent('X')]);
        await store.append(`${prefix}a-2`, [newEvent('Z')]);
        ours = await store.readAll({ from: before, filter: { streamPrefixes: [prefix] } });
      });

      const summary = (events: StoredEvent[]) => events.map((e) => `${e.stream.slice(prefix.length)}:${e.type}`);

      it('reads forwards after an exclusive position', async function () {
        expect(summary(ours)).to.deep.equal(['a-1:X', 'a-1:Y', 'b-1:X', 'a-2:Z']);
        expectStrictlyIncreasing(ours.map((e) => e.position));
        const afterFirst = await store.readAll({ from: ours[0]?.position, filter: { streamPrefixes: [prefix] } });
        expect(afterFirst.map((e) => e.id)).to.deep.equal(ours.slice(1).map((e) => e.id));
      });

      it('reads every stream when unfiltered, ours in order among any others', async function () {
        const all = await store.readAll({ from: before });
        expectStrictlyIncreasing(all.map((e) => e.position));
        expect(all.filter((e) => e.stream.startsWith(prefix)).map((e) => e.id)).to.deep.equal(ours.map((e) => e.id));
        expect(all[0]?.position).to.be.greaterThan(before);
      });

      it('stops at maxCount', async function () {
        const firstTwo = await store.readAll({ from: before, maxCount: 2, filter: { streamPrefixes: [prefix] } });
        expect(firstTwo.map((e) => e.id)).to.deep.equal(ours.slice(0, 2).map((e) => e.id));
        const unfiltered = await store.readAll({ from: before, maxCount: 1 });
        expect(unfiltered).to.have.length(1);
        expect(unfiltered[0]?.position).to.be.greaterThan(before);
      });

      it('reads backwards from the end or before an exclusive position', async function () {
        const last = ours[ours.length - 1] as StoredEvent;
        const fromEnd = await store.readAll({ direction: 'backwards', maxCount: 4, filter: { streamPrefixes: [prefix] } });
        expect(fromEnd.map((e) => e.id)).to.deep.equal([...ours].reverse().map((e) => e.id));
        const beforeLast = await store.readAll({
          direction: 'backwards',
          from: last.position,
          maxCount: 2,
          filter: { streamPrefixes: [prefix] },
        });
        expect(beforeLast.map((e) => e.id)).to.deep.equal([ours[2]?.id, ours[1]?.id]);
        const newest = await store.readAll({ direction: 'backwards', maxCount: 1 });
        expect(newest[0]?.position).to.be.at.least(last.position);
      });

      it('reads the event at an exact position, and nothing past the head', async function () {
        for (const event of ours) expect((await store.readAt(event.position))?.id).to.equal(event.id);
        const head = await store.headPosition();
        expect(await store.readAt(head + 1_000_000)).to.equal(null);
      });

      it('filters by event type, by stream prefix, and by both', async function () {
        const xs = await store.readAll({ from: before, filter: { eventTypes: ['X'], streamPrefixes: [prefix] } });
        expect(summary(xs)).to.deep.equal(['a-1:X', 'b-1:X']);
        const aStreams = await store.readAll({ from: before, filter: { streamPrefixes: [`${prefix}a`] } });
        expect(summary(aStreams)).to.deep.equal(['a-1:X', 'a-1:Y', 'a-2:Z']);
        const several = await store.readAll({ from: before, filter: { streamPrefixes: [`${prefix}b`, `${prefix}a-2`] } });
        expect(summary(several)).to.deep.equal(['b-1:X', 'a-2:Z']);
        const typed = await store.readAll({ from: before, filter: { eventTypes: ['Y', 'Z'], streamPrefixes: [prefix] } });
        expect(summary(typed)).to.deep.equal(['a-1:Y', 'a-2:Z']);
        const backwards = await store.readAll({
          direction: 'backwards',
          maxCount: 1,
          filter: { eventTypes: ['X'], streamPrefixes: [prefix] },
        });
        expect(summary(backwards)).to.deep.equal(['b-1:X']);
        // A list is a set to match: an empty one matches nothing, unlike an absent one.
        expect(await store.readAll({ from: before, filter: { eventTypes: [], streamPrefixes: [prefix] } })).to.deep.equal([]);
      });
    });

    describe('subscribe', function () {
      it('catches up with stored events, then delivers live ones', async function () {
        const prefix = unique('live');
        const before = await store.headPosition();
        await store.append(`${prefix}-1`, [newEvent('Stored'), newEvent('Stored')]);
        const recorder = new Recorder(store.subscribe(before));
        try {
          await recorder.until((events) => ofPrefix(events, prefix).length === 2, deliveryTimeoutMs);
          await store.append(`${prefix}-1`, [newEvent('Live')]);
          await store.append(`${prefix}-2`, [newEvent('Live')]);
          await recorder.until((events) => ofPrefix(events, prefix).length === 4, deliveryTimeoutMs);
          const stored = await store.readAll({ from: before, filter: { streamPrefixes: [prefix] } });
          expect(stored.map((e) => e.type)).to.deep.equal(['Stored', 'Stored', 'Live', 'Live']);
          // Live events carry exactly what a later read returns: same fields, same values.
          expect(ofPrefix(recorder.events, prefix)).to.deep.equal(stored);
          expect(recorder.events[0]?.position).to.be.greaterThan(before);
        } finally {
          recorder.stop();
        }
      });

      it('starts after an exclusive position and delivers nothing older', async function () {
        const prefix = unique('from');
        await store.append(`${prefix}-1`, [newEvent('Old')]);
        const head = await store.headPosition();
        const recorder = new Recorder(store.subscribe(head));
        try {
          await store.append(`${prefix}-1`, [newEvent('New')]);
          await recorder.until((events) => ofPrefix(events, prefix).length >= 1, deliveryTimeoutMs);
          await sleep(quietPeriodMs);
          expect(ofPrefix(recorder.events, prefix).map((e) => e.type)).to.deep.equal(['New']);
          expect(recorder.events.every((e) => e.position > head)).to.equal(true);
        } finally {
          recorder.stop();
        }
      });

      it('delivers every event exactly once, in order, while 20 appenders race the switch to live', async function () {
        const prefix = unique('race');
        const before = await store.headPosition();
        const appenders = 20;
        const appendsEach = 10;
        let appended = 0;
        let recorder: Recorder | undefined;
        try {
          await Promise.all(
            Array.from({ length: appenders }, async (_, a) => {
              for (let i = 0; i < appendsEach; i++) {
                await store.append(
                  `${prefix}-${a}`,
                  Array.from({ length: 1 + (i % 3) }, () => newEvent('Raced')),
                );
                appended += 1;
                // Subscribe mid-way: catch-up reads what is stored while the rest is being appended.
                if (appended === (appenders * appendsEach) / 2) recorder = new Recorder(store.subscribe(before));
                await (i % 2 === 0 ? new Promise((resolve) => setImmediate(resolve)) : sleep(1));
              }
            }),
          );
          const expected = await store.readAll({ from: before, filter: { streamPrefixes: [prefix] } });
          expect(expected).to.have.length(appenders * [1, 2, 3, 1, 2, 3, 1, 2, 3, 1].reduce((sum, n) => sum + n, 0));
          const subscribed = recorder as Recorder;
          await subscribed.until((events) => ofPrefix(events, prefix).length >= expected.length, deliveryTimeoutMs);
          await sleep(quietPeriodMs);
          expectStrictlyIncreasing(subscribed.events.map((e) => e.position));
          expect(ofPrefix(subscribed.events, prefix).map((e) => e.id)).to.deep.equal(expected.map((e) => e.id));
        } finally {
          recorder?.stop();
        }
      });

      it('serves several subscribers from different positions', async function () {
        const prefix = unique('several');
        const before = await store.headPosition();
        const first = await store.append(`${prefix}-1`, [newEvent('A'), newEvent('B')]);
        const early = new Recorder(store.subscribe(before));
        const late = new Recorder(store.subscribe(first.position));
        try {
          await store.append(`${prefix}-2`, [newEvent('C')]);
          await store.append(`${prefix}-1`, [newEvent('D')]);
          await early.until((events) => ofPrefix(events, prefix).length === 4, deliveryTimeoutMs);
          await late.until((events) => ofPrefix(events, prefix).length === 2, deliveryTimeoutMs);
          expect(ofPrefix(early.events, prefix).map((e) => e.type)).to.deep.equal(['A', 'B', 'C', 'D']);
          expect(ofPrefix(late.events, prefix).map((e) => e.type)).to.deep.equal(['C', 'D']);
          expect(ofPrefix(late.events, prefix)).to.deep.equal(ofPrefix(early.events, prefix).slice(2));
        } finally {
          early.stop();
          late.stop();
        }
      });

      it('delivers nothing after unsubscribe', async function () {
        const prefix = unique('unsubscribe');
        const head = await store.headPosition();
        const recorder = new Recorder(store.subscribe(head));
        await store.append(`${prefix}-1`, [newEvent('Seen')]);
        await recorder.until((events) => ofPrefix(events, prefix).length === 1, deliveryTimeoutMs);
        recorder.stop();
        await store.append(`${prefix}-1`, [newEvent('Unseen'), newEvent('Unseen')]);
        await sleep(quietPeriodMs);
        expect(ofPrefix(recorder.events, prefix).map((e) => e.type)).to.deep.equal(['Seen']);
      });
    });

    describe('close', function () {
      it('refuses appends once closed', async function () {
        const closing = await open();
        await closing.close();
        const error = await rejection(closing.append(unique('closed'), [newEvent('A')]));
        expect(error).to.be.instanceOf(Error);
        expect((error as Error).message).to.match(/closed/i);
      });
    });
  });
}

/** Collects what a subscription delivers, for assertions. */
class Recorder {
  readonly events: StoredEvent[] = [];
  private failure: unknown;
  private readonly subscription: Subscription;

  constructor(source: Observable<StoredEvent>) {
    this.subscription = source.subscribe({
      next: (event) => this.events.push(event),
      error: (error: unknown) => {
        this.failure = error;
      },
    });
  }

  async until(done: (events: StoredEvent[]) => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.events)) {
      if (this.failure !== undefined) throw this.failure;
      if (Date.now() > deadline)
        throw new Error(`subscription delivered ${this.events.length} events, not what was awaited, within ${timeoutMs} ms`);
      await sleep(2);
    }
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}

function unique(label: string): string {
  return `contract${label}-${randomUUID().slice(0, 8)}`;
}

function newEvent(type: string, data: unknown = { at: type }): NewEvent {
  const metadata: EventMetadata = {
    actor: 7,
    device: 'contract-test',
    session: randomUUID(),
    address: '127.0.0.1',
    correlationId: randomUUID(),
    causationId: randomUUID(),
    at: new Date().toISOString(),
  };
  return { type, data, metadata };
}

function ofPrefix(events: StoredEvent[], prefix: string): StoredEvent[] {
  return events.filter((e) => e.stream.startsWith(prefix));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

function expectWrongVersion(error: unknown, stream: string, expected: unknown, actual: number | 'no_stream'): void {
  expect(error).to.be.instanceOf(WrongExpectedVersionError);
  const wrong = error as WrongExpectedVersionError;
  expect(wrong.stream).to.equal(stream);
  expect(wrong.expected).to.equal(expected);
  expect(wrong.actual).to.equal(actual);
}

function expectStrictlyIncreasing(positions: number[]): void {
  positions.forEach((position, i) => {
    if (i > 0) expect(position, `position #${i}`).to.be.greaterThan(positions[i - 1] as number);
  });
}
