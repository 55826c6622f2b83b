/**
 * The EventStoreDB adapter and the live feed under server faults, through the real client
 * (@kurrent/kurrentdb-client, its gRPC transport and its native reader) against a stand-in
 * server (stand-in-server.ts): a dropped, cancelled or cleanly ended $all subscription, a
 * server that answers appends late, an append whose reply is lost after it landed.
 *
 * What this proves: how eschat's adapter and feed behave when those faults reach them. What it
 * does not: how a real EventStoreDB or KurrentDB node behaves (positions, filters, idempotence
 * on event ids, when it cancels calls): the stand-in models those, and only the contract suite
 * against a real server (esdb-event-store.unit.test.ts with ESCHAT_TEST_EVENTSTORE) checks them.
 */
import { expect } from 'chai';
import type { RecordedEvent } from '../../../src/events/recorded-event.js';
import { AppendTimeoutError, EsdbEventStore } from '../../../src/store/esdb/esdb-event-store.js';
import { LiveFeed, type FeedState } from '../../../src/store/live-feed.js';
import { StandInServer } from './stand-in-server.js';

const meta = { correlationId: 'c', at: '2024-01-01T00:00:00.000Z' };
const deleted = (roomId: number) => ({ roomId, by: 1, kind: 'group', members: [1] });

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('EsdbEventStore under faults (stand-in server)', function () {
  this.timeout(20_000);
  let stand: StandInServer;
  let store: EsdbEventStore;
  beforeEach(async () => {
    stand = await StandInServer.start();
    store = await EsdbEventStore.connect(stand.connectionString, { appendTimeoutMs: 300 });
  });
  afterEach(async () => {
    await store.close();
    await stand.stop();
  });

  const faults: Array<[string, (stand: StandInServer) => void]> = [
    ['dropped (a transport error)', (s) => s.dropSubscriptions()],
    ['cancelled (a server shutting down)', (s) => s.cancelSubscriptions()],
    ['ended cleanly (a stream that just stops)', (s) => s.endSubscriptions()],
  ];
  for (const [fault, inject] of faults) {
    it(`resumes a subscription ${fault} from the last position, with no gap and no duplicate`, async function () {
      for (const room of [1, 2]) stand.write(`room-${room}`, 'RoomDeleted', deleted(room));
      const states: FeedState['state'][] = [];
      const feed = new LiveFeed(store, { backoffMs: 20, settleMs: 100 });
      const seen: RecordedEvent[] = [];
      const subscription = feed.start(0).subscribe({ next: (event) => seen.push(event), error: (error) => seen.push(error) });
      try {
        await until(() => seen.length === 2, 'the stored events');
        inject(stand);
        await until(() => feed.state.state === 'resubscribing', 'the feed to notice');
        states.push(feed.state.state);
        stand.write('room-3', 'RoomDeleted', deleted(3)); // while down
        await until(() => stand.openSubscriptions === 1, 'the resubscription');
        stand.write('room-4', 'RoomDeleted', deleted(4)); // live again
        await until(() => seen.length >= 4, 'every event');
        await new Promise((resolve) => setTimeout(resolve, 150));
        states.push(feed.state.state);
        expect(seen.map((event) => event.stream)).to.deep.equal(['room-1', 'room-2', 'room-3', 'room-4']);
        expect(stand.subscribedFrom).to.deep.equal([0, 200]);
        expect(states).to.deep.equal(['resubscribing', 'live']);
      } finally {
        subscription.unsubscribe();
        feed.stop();
      }
    });
  }

  it('keeps resubscribing with backoff while the server refuses, and says since when', async function () {
    const feed = new LiveFeed(store, { backoffMs: 20, maxBackoffMs: 40 });
    const subscription = feed.start(0).subscribe();
    try {
      await until(() => stand.openSubscriptions === 1, 'the subscription');
      stand.dropSubscriptions();
      await until(() => feed.state.state === 'resubscribing', 'the drop');
      const first = feed.state;
      // Dropped again as soon as it is back: one incident, more attempts, the same start.
      await until(() => stand.openSubscriptions === 1, 'a resubscription');
      stand.dropSubscriptions();
      await until(() => feed.state.state === 'resubscribing' && (feed.state as { attempts: number }).attempts === 2, 'the second drop');
      expect(feed.state).to.include({ state: 'resubscribing', since: (first as { since: number }).since });
    } finally {
      subscription.unsubscribe();
      feed.stop();
    }
  });

  it('fails an append the server does not answer, within the bound, with a clear error', async function () {
    stand.appendDelayMs = 10_000;
    const started = Date.now();
    const error = await store.append('room-9', [{ type: 'RoomDeleted', data: deleted(9), metadata: meta }]).then(
      () => null,
      (failure: unknown) => failure,
    );
    const elapsed = Date.now() - started;
    expect(error).to.be.instanceOf(AppendTimeoutError);
    expect((error as Error).message).to.match(
      /did not confirm the append to room-9 \(2 tries of 300 ms each\); it may or may not have been written/,
    );
    expect(elapsed).to.be.below(2000);
    expect(stand.appendAttempts.map((attempt) => attempt.ids)).to.have.length(2);
  });

  it('retries an append whose reply was lost with the same ids, and the server recognises it', async function () {
    stand.loseAppendReplies = 1;
    const id = '0f0e0d0c-0b0a-4908-8706-050403020100';
    const result = await store.append('room-7', [{ id, type: 'RoomDeleted', data: deleted(7), metadata: meta }], {
      expectedRevision: 'no_stream',
    });
    expect(result).to.deep.equal({ nextRevision: 0, position: 100 });
    expect(stand.log.map((record) => record.id)).to.deep.equal([id]);
    expect(stand.appendAttempts.map((attempt) => attempt.ids)).to.deep.equal([[id], [id]]);
  });

  it('keeps the ids it chose for events without one across its retries', async function () {
    stand.loseAppendReplies = 1;
    await store.append('room-8', [{ type: 'RoomDeleted', data: deleted(8), metadata: meta }], { expectedRevision: 'no_stream' });
    const [first, second] = stand.appendAttempts.map((attempt) => attempt.ids);
    expect(second).to.deep.equal(first);
    expect(stand.log).to.have.length(1);
  });

  it('filters reads of $all on the server: event types exactly, else stream prefixes', async function () {
    stand.write('room-1', 'RoomDeleted', deleted(1));
    stand.write('room-2', 'RoomCreated', { roomId: 2 });
    const deletedOnly = await store.readAll({ filter: { eventTypes: ['RoomDeleted'] } });
    expect(deletedOnly.map((event) => event.type)).to.deep.equal(['RoomDeleted']);
    await store.readAll({ filter: { streamPrefixes: ['room-'] } });
    expect(stand.readFilters.slice(-2)).to.deep.equal(['type ^(?:RoomDeleted)$', 'stream room-']);
  });

  it("passes over the signal board's streams, which share the server but are not the log: head, reads and subscription", async function () {
    const chat = stand.write('room-1', 'RoomDeleted', deleted(1));
    const signal = { expiresAt: Date.now() + 60_000, body: { kind: 'typing' } };
    stand.write('eschat-signals', 'Signal', signal);
    stand.write('eschat-signals-lasting', 'Signal', signal);
    // A head on a signal: a process's catch-up would wait for it forever, its readers never seeing it.
    expect(await store.headPosition()).to.equal(chat.position);
    expect((await store.readAll()).map((event) => event.stream)).to.deep.equal(['room-1']);
    const seen: string[] = [];
    const subscription = store.subscribe(0).subscribe((event) => seen.push(event.stream));
    try {
      stand.write('eschat-signals', 'Signal', signal);
      stand.write('room-2', 'RoomDeleted', deleted(2));
      await until(() => seen.length === 2, 'the chat events');
      expect(seen).to.deep.equal(['room-1', 'room-2']);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('reads the event at a position that is a byte offset, where position - 1 is none', async function () {
    stand.write('room-1', 'RoomDeleted', deleted(1));
    const second = stand.write('room-2', 'RoomDeleted', deleted(2));
    expect((await store.readAt(second.position))?.stream).to.equal('room-2');
    expect(await store.readAt(second.position - 50)).to.equal(null);
  });
});
