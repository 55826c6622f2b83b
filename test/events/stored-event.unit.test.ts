import { expect } from 'chai';
import { isEschatEvent } from '../../src/events/event-types.js';
import { MalformedEventError, storedEvent } from '../../src/events/stored-event.js';
import { summarize } from '../../src/queries/audit/summary.js';
import { People } from '../../src/queries/audit/people.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import { meta, tempEventStore } from '../support/stores.js';

const envelope = { id: 'e1', stream: 'user-3', revision: 0, position: 5, metadata: meta, created: 0 };

describe('storedEvent', () => {
  it('gives back the very event it checked', () => {
    const event = { ...envelope, type: 'UserRegistered', data: { userId: 3 } };
    expect(storedEvent(event)).to.equal(event);
  });

  it('refuses a record without data or without a type, saying where it is', () => {
    expect(() => storedEvent({ ...envelope, type: 'UserRegistered', data: undefined })).to.throw(
      MalformedEventError,
      'malformed event at position 5 in stream user-3: UserRegistered has no data',
    );
    expect(() => storedEvent({ ...envelope, type: 'UserRegistered', data: null })).to.throw(MalformedEventError, 'has no data');
    expect(() => storedEvent({ ...envelope, type: '', data: {} })).to.throw(MalformedEventError, 'no event type');
  });

  describe('where events enter, from a SQLite log', () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await tempEventStore();
    });
    afterEach(() => store.close());

    it('reads an event of a type a newer version wrote as one, seen by the audit and passed over by handlers', async () => {
      await store.append('room-4', [{ type: 'RoomArchived', data: { roomId: 4, by: 2 }, metadata: meta }]);
      const [event] = await store.readAll();
      expect(event).to.include({ type: 'RoomArchived', stream: 'room-4' });
      expect(event && isEschatEvent(event)).to.equal(false);
      expect(event && summarize(event, await People.load(store, []), false)).to.equal('RoomArchived');
    });

    it('refuses a record without data on every read path, rather than handing it on', async () => {
      await store.append('user-3', [{ type: 'UserRegistered', data: null, metadata: meta }]);
      const refusal = /malformed event at position 1 in stream user-3: UserRegistered has no data/;
      await store.readAll().then(
        () => expect.fail('read'),
        (error: unknown) => expect(error).to.be.instanceOf(MalformedEventError).and.to.match(refusal),
      );
      await store.readStream('user-3').then(
        () => expect.fail('read'),
        (error: unknown) => expect(String(error)).to.match(refusal),
      );
      const subscribed = await new Promise<unknown>((resolve) => store.subscribe(0).subscribe({ next: resolve, error: resolve }));
      expect(subscribed).to.be.instanceOf(MalformedEventError);
    });
  });
});
