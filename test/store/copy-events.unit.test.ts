import { expect } from 'chai';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import type { NewEvent } from '../../src/events/recorded-event.js';
import { CopyConflict, copyEvents } from '../../src/store/copy-events.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import { InstrumentedEventStore } from '../../src/store/instrumented-event-store.js';
import { tempEventStore } from '../support/stores.js';

/** What a copy must keep of each event, in log order: everything but the position and recording time. */
const essence = (events: readonly StoredEvent[]) =>
  events.map(({ id, stream, revision, type, data, metadata }) => ({ id, stream, revision, type, data, metadata }));

/** `count` events over a few interleaved streams, some appended several at once. */
async function fill(store: EventStore, count: number, first = 0): Promise<void> {
  for (let i = first; i < first + count;) {
    const stream = `thing-${i % 7}`;
    const batch = Math.min(i % 3 === 0 ? 3 : 1, first + count - i);
    const events: NewEvent[] = Array.from({ length: batch }, (_, k) => ({
      type: k === 0 ? 'Made' : 'Changed',
      data: { n: i + k, text: `event ${i + k} ✓` },
      metadata: { correlationId: `request-${i}`, actor: i, at: new Date(1_700_000_000_000 + i).toISOString() },
    }));
    await store.append(stream, events);
    i += batch;
  }
}

/** A target that fails after `appends` appends, like a copy interrupted by a crash or a lost connection. */
function failingAfter(target: EventStore, appends: number): EventStore {
  let left = appends;
  return {
    append: (stream, events, options) =>
      left-- > 0 ? target.append(stream, events, options) : Promise.reject(new Error('connection lost')),
    readStream: (stream, options) => target.readStream(stream, options),
    readAll: (options) => target.readAll(options),
    readAt: (position) => target.readAt(position),
    subscribe: (from) => target.subscribe(from),
    headPosition: () => target.headPosition(),
    close: () => target.close(),
  };
}

describe('copyEvents', () => {
  let source: EventStore;
  let target: EventStore;
  beforeEach(async () => {
    source = await tempEventStore();
    target = await tempEventStore();
  });
  afterEach(async () => {
    await source.close();
    await target.close();
  });

  it('copies every event in log order with the same stream, revision, id, type, data and metadata', async () => {
    await fill(source, 2500);
    const done = await copyEvents(source, target);
    expect(done).to.deep.include({ copied: 2500, skipped: 0, position: 2500 });
    expect(essence(await target.readAll())).to.deep.equal(essence(await source.readAll()));
  });

  it('copies nothing the second time', async () => {
    await fill(source, 40);
    await copyEvents(source, target);
    const head = await target.headPosition();
    expect(await copyEvents(source, target)).to.deep.include({ copied: 0, skipped: 40 });
    expect(await target.headPosition()).to.equal(head);
  });

  it('resumes an interrupted copy where it stopped, and picks up what the source gained since', async () => {
    await fill(source, 300);
    const interrupted = await copyEvents(source, failingAfter(target, 25)).catch((error: unknown) => error);
    expect(interrupted).to.be.instanceOf(Error);
    const partial = (await target.readAll()).length;
    expect(partial).to.be.within(25, 299);
    await fill(source, 50, 300);
    expect(await copyEvents(source, target)).to.deep.include({ copied: 350 - partial, skipped: partial });
    expect(essence(await target.readAll())).to.deep.equal(essence(await source.readAll()));
  });

  it('reports progress per page, up to the head of the source', async () => {
    await fill(source, 2100);
    const seen: number[] = [];
    await copyEvents(source, target, (progress) => seen.push(progress.position));
    expect(seen).to.deep.equal([1000, 2000, 2100]);
  });

  it('splits a long run of one stream into appends EventStoreDB takes (under 1 MiB each)', async () => {
    const big = 'x'.repeat(100 * 1024);
    await source.append(
      'messages-1-2026',
      Array.from({ length: 12 }, (_, n) => ({
        type: 'MessageSent',
        data: { n, text: big },
        metadata: { correlationId: 'c', at: new Date().toISOString() },
      })),
    );
    const sizes: number[] = [];
    const counting = new InstrumentedEventStore(target, { appended: (_outcome, events) => sizes.push(events) });
    expect(await copyEvents(source, counting)).to.deep.include({ copied: 12 });
    expect(sizes.reduce((sum, size) => sum + size, 0)).to.equal(12);
    expect(Math.max(...sizes), 'events per append').to.be.at.most(5);
    expect(essence(await target.readAll())).to.deep.equal(essence(await source.readAll()));
  });

  it('refuses to continue a stream the target holds something else in', async () => {
    await fill(source, 10);
    await target.append('thing-0', [{ type: 'Elsewhere', data: {}, metadata: { correlationId: 'other', at: new Date().toISOString() } }]);
    const refused = await copyEvents(source, target).catch((error: unknown) => error);
    expect(refused).to.be.instanceOf(CopyConflict);
    expect((refused as Error).message).to.include('thing-0');
  });
});
