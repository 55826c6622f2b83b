import { expect } from 'chai';
import { contactEventTypes, contactStream, type ContactEvent } from '../../src/events/contact.js';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import { EventTypes } from '../../src/events/event-types.js';
import { contactsProjection } from '../../src/projections/contacts.js';
import { ProjectionRunner } from '../../src/projections/runner.js';
import { isContact, requestsReceived, requestsSent, syncContacts } from '../../src/queries/contacts.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import { MemoryReadStore } from '../../src/store/memory/memory-read-store.js';
import { meta, tempEventStore } from '../support/stores.js';

/** Unix seconds of `meta.at`, the time every test event was decided. */
const META_SECONDS = Date.parse(meta.at) / 1000;

describe('contacts projection', () => {
  let store: EventStore;
  let runner: ProjectionRunner;

  beforeEach(async () => {
    store = await tempEventStore();
    runner = new ProjectionRunner(store, new MemoryReadStore(), [contactsProjection]);
    await runner.start();
  });
  afterEach(async () => {
    runner.stop();
    await store.close();
  });

  /** Appends one event to its pair's stream and waits until the read model shows it. */
  async function record(event: ContactEvent, at = meta.at): Promise<number> {
    const pair = Object.values(event.data).filter((value): value is number => typeof value === 'number');
    const { position } = await store.append(contactStream(pair[0]!, pair[1]!), [{ ...event, metadata: { ...meta, at } }]);
    expect(await runner.waitFor(position)).to.equal(true);
    return position;
  }
  const requested = (from: number, to: number, ask = 'hi'): ContactEvent => ({ type: 'ContactRequested', data: { from, to, ask } });
  const accepted = (by: number, requester: number): ContactEvent => ({ type: 'ContactAccepted', data: { by, requester } });
  const deleted = (by: number, other: number): ContactEvent => ({ type: 'ContactDeleted', data: { by, other } });

  it("versions a user's list by the position of its last change; requests leave it alone", async () => {
    await record(requested(1, 2));
    expect(await syncContacts(runner, 1, 0)).to.deep.equal({ version: 0, added: [], removed: [] });
    const position = await record(accepted(2, 1));
    expect(await syncContacts(runner, 1, 0)).to.deep.equal({ version: position, added: [2], removed: [] });
    expect(await syncContacts(runner, 2, 0)).to.deep.equal({ version: position, added: [1], removed: [] });
    expect(await syncContacts(runner, 3, 0)).to.deep.equal({ version: 0, added: [], removed: [] });
  });

  it('reports a removal to a client that synced before it, and nothing to one that synced after', async () => {
    await record(requested(1, 2));
    const befriended = await record(accepted(2, 1));
    expect(await syncContacts(runner, 1, befriended)).to.deep.equal({ version: befriended, added: [], removed: [] });
    const removed = await record(deleted(2, 1));
    expect(await syncContacts(runner, 1, befriended)).to.deep.equal({ version: removed, added: [], removed: [2] });
    expect(await syncContacts(runner, 2, befriended)).to.deep.equal({ version: removed, added: [], removed: [1] });
    expect(await syncContacts(runner, 1, removed)).to.deep.equal({ version: removed, added: [], removed: [] });
    expect(await isContact(runner, 1, 2)).to.equal(false);
  });

  it('reports a contact removed and added again as added, with the newer version', async () => {
    await record(requested(1, 2));
    const first = await record(accepted(2, 1));
    await record(deleted(1, 2));
    await record(requested(2, 1));
    const again = await record(accepted(1, 2));
    expect(await syncContacts(runner, 1, first)).to.deep.equal({ version: again, added: [2], removed: [] });
    expect(await isContact(runner, 1, 2)).to.equal(true);
    expect(await isContact(runner, 2, 1)).to.equal(true);
  });

  it('lists the changes of several contacts in version order', async () => {
    for (const other of [4, 2, 3]) {
      await record(requested(other, 1));
      await record(accepted(1, other));
    }
    const removal = await record(deleted(1, 4));
    expect(await syncContacts(runner, 1, 0)).to.deep.equal({ version: removal, added: [2, 3], removed: [4] });
  });

  it('keeps pending requests until answered or withdrawn, with their time in unix seconds', async () => {
    await record(requested(1, 3, 'from one'), '2026-01-01T00:00:10.900Z');
    await record(requested(2, 3, 'from two'), '2026-01-01T00:00:20.000Z');
    await record(requested(3, 4, 'to four'));
    const received = await requestsReceived(runner, 3);
    expect(received.map(({ from, to, ask, at }) => ({ from, to, ask, at }))).to.deep.equal([
      { from: 1, to: 3, ask: 'from one', at: META_SECONDS + 10 },
      { from: 2, to: 3, ask: 'from two', at: META_SECONDS + 20 },
    ]);
    expect((await requestsReceived(runner, 3, META_SECONDS + 20)).map((request) => request.from)).to.deep.equal([2]);
    expect((await requestsReceived(runner, 3, META_SECONDS + 21)).map((request) => request.from)).to.deep.equal([]);
    expect((await requestsSent(runner, 3)).map((request) => request.to)).to.deep.equal([4]);

    await record({ type: 'ContactDeclined', data: { by: 3, requester: 1 } });
    await record({ type: 'ContactRequestCancelled', data: { by: 3, target: 4 } });
    await record(accepted(3, 2));
    expect(await requestsReceived(runner, 3)).to.deep.equal([]);
    expect(await requestsSent(runner, 3)).to.deep.equal([]);
    expect(await isContact(runner, 3, 2)).to.equal(true);
    expect(await isContact(runner, 3, 1)).to.equal(false);
  });
});

describe('contacts projection, delivered again', () => {
  /** Applies the projection's operations for `events` to `readStore`, one event at a time. */
  async function apply(readStore: MemoryReadStore, events: readonly StoredEvent[]): Promise<void> {
    for (const event of events.filter(new EventTypes<ContactEvent>(contactEventTypes).has)) {
      for (const { collection, operation } of contactsProjection.project(event))
        await readStore.collection(collection).bulkWrite([operation]);
    }
  }
  const snapshot = (readStore: MemoryReadStore, name: string) => readStore.collection(name).find({}, { sort: { _id: 1 } });

  it('ends in the same state when a batch is applied twice, and an older event never turns a contact back', async () => {
    const store = await tempEventStore();
    const append = (type: ContactEvent['type'], data: ContactEvent['data']) =>
      store.append(contactStream(1, 2), [{ type, data, metadata: meta }]);
    await append('ContactRequested', { from: 1, to: 2, ask: 'hi' });
    await append('ContactAccepted', { by: 2, requester: 1 });
    await append('ContactDeleted', { by: 1, other: 2 });
    const events = await store.readAll();
    const readStore = new MemoryReadStore();
    await apply(readStore, events);
    const contacts = await snapshot(readStore, 'contacts');
    const requests = await snapshot(readStore, 'requests');
    expect(contacts.map(({ _id, state, version }) => ({ _id, state, version }))).to.deep.equal([
      { _id: '1:2', state: 'removed', version: events[2]!.position },
      { _id: '2:1', state: 'removed', version: events[2]!.position },
    ]);

    await apply(readStore, events);
    expect(await snapshot(readStore, 'contacts')).to.deep.equal(contacts);
    expect(await snapshot(readStore, 'requests')).to.deep.equal(requests);
    await apply(readStore, [events[1]!]);
    expect(await snapshot(readStore, 'contacts')).to.deep.equal(contacts);
    await store.close();
  });
});
