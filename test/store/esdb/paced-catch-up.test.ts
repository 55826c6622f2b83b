/**
 * A catch-up from 0 over a slow read store, through the real client and its gRPC transport,
 * against the stand-in server (stand-in-server.ts), which sends the stored events within gRPC
 * flow control as a server does. The projection runner is fed as in app.ts: by the live feed,
 * paced on the runner's progress (LiveFeed.paced), which pauses the client's subscription
 * stream (EsdbEventStore.subscribe) while the read models catch up.
 *
 * What matters is the process's memory: the events it has received and not yet applied. The
 * server's count of events sent, less those the runner has applied, bounds them (whatever the
 * transport holds in between is counted in too).
 */
import { expect } from 'chai';
import type { Observable } from 'rxjs';
import type { StoredEvent } from '../../../src/events/eschat-event.js';
import type { Position } from '../../../src/events/recorded-event.js';
import { messagesProjection } from '../../../src/projections/messages.js';
import { ProjectionRunner } from '../../../src/projections/runner.js';
import { EsdbEventStore } from '../../../src/store/esdb/esdb-event-store.js';
import { LiveFeed } from '../../../src/store/live-feed.js';
import { MemoryReadStore } from '../../../src/store/memory/memory-read-store.js';
import type { FencedBatch } from '../../../src/store/ports/read-store.js';
import { StandInServer } from './stand-in-server.js';

const EVENTS = 12_000;
/** LiveFeed.paced's default: the runner's queue holds at most about this many events. */
const WINDOW = 5000;
/**
 * What may sit between the two ends: the server's write buffer, the HTTP/2 windows, the client's
 * streams (grpc-js, then the client's Subscription transform, 16 objects each). About 280 events
 * of this size when measured; unpaced, the whole log.
 */
const TRANSPORT = 1500;

/**
 * A read store slower than anything the transport does: each batch takes until the server has
 * sent all it could (its count stood still for a while). The read models then fall as far
 * behind as the process lets them, whatever the speed of the machine.
 */
class SlowReadStore extends MemoryReadStore {
  constructor(
    private readonly sent: () => number,
    private readonly sample: () => void,
  ) {
    super();
  }

  override async commitFenced(batch: FencedBatch): Promise<boolean> {
    for (let last = -1, still = 0; still < 5;) {
      await new Promise((resolve) => setTimeout(resolve, 40));
      const now = this.sent();
      still = now === last ? still + 1 : 0;
      last = now;
    }
    this.sample();
    return super.commitFenced(batch);
  }
}

describe('a catch-up from 0 over a slow read store (stand-in server)', function () {
  this.timeout(120_000);
  let stand: StandInServer;
  let store: EsdbEventStore;
  before(async () => {
    stand = await StandInServer.start();
    for (let n = 1; n <= EVENTS; n++) {
      const data = { roomId: 1, sender: 1, device: 'd', clientId: `m${n}`, kind: 'text', text: `text ${n}`, mediaId: null };
      stand.write('messages-1', 'MessageSent', data);
    }
  });
  after(async () => {
    await stand.stop();
  });
  beforeEach(async () => {
    stand.sent = 0;
    store = await EsdbEventStore.connect(stand.connectionString);
  });
  afterEach(async () => {
    await store.close();
  });

  /** Catches a runner up from 0 fed by `subscribe`; the most events ever sent by the server and not yet applied. */
  async function catchUp(
    subscribe: (feed: LiveFeed, from: Position, reached: (position: Position) => Promise<boolean>) => Observable<StoredEvent>,
  ): Promise<number> {
    const feed = new LiveFeed(store);
    let most = 0;
    // The stand-in's positions are 100 apart from 100: the runner has applied position / 100 events.
    const readStore = new SlowReadStore(
      () => stand.sent,
      () => (most = Math.max(most, stand.sent - runner.position / 100)),
    );
    const runner: ProjectionRunner = new ProjectionRunner(store, readStore, [messagesProjection], {
      subscribe: (from) => subscribe(feed, from, (position) => runner.waitFor(position, Infinity)),
      refreshMs: 0,
    });
    try {
      await runner.start();
      expect(runner.position, 'the whole log applied').to.equal(EVENTS * 100);
      expect(stand.sent, 'every event sent').to.equal(EVENTS);
      return most;
    } finally {
      runner.stop();
      feed.stop();
    }
  }

  it('holds at most a window of events in the process, paced as app.ts does: the server keeps the rest', async function () {
    const most = await catchUp((feed, from, reached) => feed.paced(from, reached, WINDOW));
    expect(most)
      .to.be.above(0)
      .and.at.most(WINDOW + TRANSPORT);
  });

  it('(the control) unpaced, the server pushes most of the log into the process: the setup tells the two apart', async function () {
    const most = await catchUp((feed, from) => feed.start(from));
    expect(most).to.be.above(WINDOW + TRANSPORT);
  });
});
