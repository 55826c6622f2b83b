import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { messageChangeStream, messageStream, type MessageChange, type MessageSent } from '../../src/events/message.js';
import type { RecordedEvent } from '../../src/events/recorded-event.js';
import { isEschatEvent } from '../../src/events/event-types.js';
import { SearchIndexer } from '../../src/projections/search-indexer.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import type { SearchBatch } from '../../src/store/ports/search-index.js';
import { searchTerms } from '../../src/store/ports/search-text.js';
import { SqliteSearchIndex } from '../../src/store/sqlite/sqlite-search-index.js';
import { meta, tempEventStore } from '../support/stores.js';

const DAY = new Date('2026-01-01T00:00:00Z');

describe('SearchIndexer', () => {
  let store: EventStore;
  let dir: string;
  const open: Array<{ close(): Promise<void> }> = [];
  beforeEach(async () => {
    store = await tempEventStore();
    dir = mkdtempSync(join(tmpdir(), 'eschat-indexer-'));
  });
  afterEach(async () => {
    for (const item of open.splice(0)) await item.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const index = () => {
    const opened = new SqliteSearchIndex(join(dir, 'search.db'));
    open.push(opened);
    return opened;
  };
  const failures: unknown[] = [];
  const indexer = (on = index()) => new SearchIndexer(store, on, (error) => failures.push(error));

  async function sent(text: string, kind: 'text' | 'image' = 'text'): Promise<RecordedEvent> {
    const data: MessageSent['data'] = {
      roomId: 1,
      sender: 2,
      device: 'd',
      clientId: null,
      kind,
      text: kind === 'text' ? text : null,
      mediaId: kind === 'text' ? null : 'm',
    };
    const { position } = await store.append(messageStream(1, DAY), [{ type: 'MessageSent', data, metadata: meta }]);
    return recorded(position);
  }
  async function change(event: MessageChange): Promise<RecordedEvent> {
    const { position } = await store.append(messageChangeStream(event.data.messageId), [{ ...event, metadata: meta }]);
    return recorded(position);
  }
  async function recorded(position: number): Promise<RecordedEvent> {
    const event = await store.readAt(position);
    if (event === null || !isEschatEvent(event)) throw new Error(`no event at ${position}`);
    return event;
  }
  const found = async (on: SqliteSearchIndex, q: string) =>
    (await on.search({ terms: searchTerms(q), rooms: [1], before: null, limit: 10 })).map((hit) => hit.text);

  it('catches up from its checkpoint, then follows the feed; edits and deletions reach the index', async () => {
    const first = await sent('hello world');
    await sent('a picture', 'image');
    const feed = new Subject<RecordedEvent>();
    const on = index();
    const follower = indexer(on);
    await follower.start(feed);
    expect(await found(on, 'hello')).to.deep.equal(['hello world']);
    expect(await found(on, 'picture'), 'media has no text to find').to.deep.equal([]);

    const second = await sent('hello again');
    feed.next(second);
    feed.next(await change({ type: 'MessageEdited', data: { roomId: 1, messageId: first.position, sender: 2, text: 'goodbye world' } }));
    const deletion = await change({ type: 'MessageDeleted', data: { roomId: 1, messageId: second.position, sender: 2, by: 2 } });
    feed.next(deletion);
    await follower.settled();
    expect(await found(on, 'hello')).to.deep.equal([]);
    expect(await found(on, 'goodbye')).to.deep.equal(['goodbye world']);
    expect(await on.checkpoint()).to.equal(deletion.position);
    follower.stop();
    expect(failures).to.deep.equal([]);
  });

  it('never writes an older state over what another process indexed', async () => {
    const message = await sent('secret plans');
    const deletion = await change({ type: 'MessageDeleted', data: { roomId: 1, messageId: message.position, sender: 2, by: 2 } });
    const [ahead, behind] = [index(), index()];
    await indexer(ahead).start(new Subject());
    expect(await ahead.checkpoint()).to.equal(deletion.position);
    // A process that read the checkpoint before the other moved it: its batch of the MessageSent alone is refused.
    expect(
      await behind.commit({
        from: 0,
        to: message.position,
        writes: [{ upsert: { id: message.position, room: 1, sender: 2, at: '', text: 'secret plans' } }],
      }),
    ).to.equal(false);
    const lagging = indexer(behind);
    const feed = new Subject<RecordedEvent>();
    await lagging.start(feed);
    feed.next(message);
    await lagging.settled();
    expect(await found(behind, 'secret')).to.deep.equal([]);
    expect(lagging.position).to.equal(deletion.position);
    expect(failures).to.deep.equal([]);
  });

  it('commits the message events the feed brings close together in one transaction, and before a search', async () => {
    const on = index();
    const batches: SearchBatch[] = [];
    const commit = on.commit.bind(on);
    on.commit = (batch) => {
      batches.push(batch);
      return commit(batch);
    };
    const feed = new Subject<RecordedEvent>();
    const follower = indexer(on);
    await follower.start(feed);
    const events = [await sent('one fish'), await sent('two fish'), await sent('red fish')];
    for (const event of events) feed.next(event);
    await new Promise((resolve) => setImmediate(resolve));
    feed.next(await sent('blue fish'));
    await follower.settled();
    expect(batches.map((batch) => batch.writes.length)).to.deep.equal([4]);
    expect(await found(on, 'fish')).to.have.length(4);
    follower.stop();
    expect(failures).to.deep.equal([]);
  });
});
