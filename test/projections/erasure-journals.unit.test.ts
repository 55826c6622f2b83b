import { expect } from 'chai';
import { Subject } from 'rxjs';
import type { Position, RecordedEvent } from '../../src/events/recorded-event.js';
import { ErasureJournals } from '../../src/projections/erasure-journals.js';
import type { JournaledStore } from '../../src/store/ports/journaled-store.js';

const envelope = (position: Position) => ({
  id: `e${position}`,
  stream: `user-${position}`,
  revision: 1,
  position,
  metadata: { correlationId: 'c', at: '2026-01-01T00:00:00.000Z' },
  created: 0,
});
const erased = (position: Position): RecordedEvent => ({ ...envelope(position), type: 'UserErased', data: { userId: 7, by: null } });
const other = (position: Position): RecordedEvent => ({
  ...envelope(position),
  type: 'SessionEnded',
  data: { sessionId: 's', userId: 7, reason: 'logout' },
});

/** A store recording its truncations; busy (a reader elsewhere) for its first `busy` tries. */
function journal(busy = 0): JournaledStore & { truncations: number; tries: number } {
  const store = {
    truncations: 0,
    tries: 0,
    truncateJournal(): Promise<boolean> {
      store.tries++;
      if (store.tries <= busy) return Promise.resolve(false);
      store.truncations++;
      return Promise.resolve(true);
    },
  };
  return store;
}

describe('ErasureJournals', () => {
  it('truncates every journal once the read side has followed a UserErased, and only then; other events do nothing', async () => {
    const events = new Subject<RecordedEvent>();
    let release: () => void = () => undefined;
    const asked: Position[] = [];
    const followed = (position: Position) => {
      asked.push(position);
      return new Promise<void>((resolve) => (release = resolve));
    };
    const stores = [journal(), journal()];
    const erasures = new ErasureJournals(events, followed, stores, (error) => expect.fail(String(error)));
    events.next(other(4));
    events.next(erased(5));
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).to.deep.equal([5]);
    expect(
      stores.map((store) => store.truncations),
      'not before the read side followed',
    ).to.deep.equal([0, 0]);
    release();
    await erasures.settled();
    expect(stores.map((store) => store.truncations)).to.deep.equal([1, 1]);
    await erasures.stop();
  });

  it('tries again while a reader elsewhere holds the journal', async () => {
    const events = new Subject<RecordedEvent>();
    const store = journal(2);
    const erasures = new ErasureJournals(
      events,
      () => Promise.resolve(),
      [store],
      (error) => expect.fail(String(error)),
    );
    events.next(erased(9));
    await erasures.settled();
    expect([store.tries, store.truncations]).to.deep.equal([3, 1]);
    await erasures.stop();
  });

  it('stops without waiting for read models that will not get there (the server closing)', async () => {
    const events = new Subject<RecordedEvent>();
    const store = journal();
    const erasures = new ErasureJournals(
      events,
      () => new Promise<void>(() => undefined),
      [store],
      (error) => expect.fail(String(error)),
    );
    events.next(erased(3));
    await erasures.stop();
    events.next(erased(4));
    expect(store.tries).to.equal(0);
  });
});
