import Database from 'better-sqlite3';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, Subject } from 'rxjs';
import type { MessageSent } from '../../src/events/message.js';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import type { Projection } from '../../src/projections/projection.js';
import { CHECKPOINTS, ProjectionRunner } from '../../src/projections/runner.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import { MemoryReadStore } from '../../src/store/memory/memory-read-store.js';
import { SqliteReadStore } from '../../src/store/sqlite/sqlite-read-store.js';
import type { Document, FencedBatch } from '../../src/store/ports/read-store.js';
import { meta, tempEventStore } from '../support/stores.js';

/** A note is a text message: its client id names it, its device is its author. */
const note = (id: string, author: string, text: string): MessageSent['data'] => ({
  roomId: 1,
  sender: 1,
  device: author,
  clientId: id,
  kind: 'text',
  text,
  mediaId: null,
});

/** Counts notes per author: a minimal projection with a secondary index. */
function notesProjection(version = 1): Projection<MessageSent> {
  return {
    name: 'notes',
    version,
    eventTypes: ['MessageSent'],
    collections: [{ name: 'notes', indexes: [{ keys: { author: 1 } }] }],
    project(event) {
      const { clientId, device: author, text } = event.data;
      const id = clientId ?? '';
      const document = { _id: id, author, text, version, position: event.position };
      return [{ collection: 'notes', operation: { replaceOne: { filter: { _id: id }, replacement: document, upsert: true } } }];
    },
  };
}

async function write(store: EventStore, id: string, author = 'ann'): Promise<number> {
  const result = await store.append(`note-${id}`, [{ type: 'MessageSent', data: note(id, author, `text ${id}`), metadata: meta }]);
  return result.position;
}

const sorted = (documents: Document[]) =>
  documents.map(({ _id, author, text }) => ({ _id, author, text })).sort((a, b) => String(a._id).localeCompare(String(b._id)));

describe('ProjectionRunner', () => {
  let store: EventStore;
  beforeEach(async () => {
    store = await tempEventStore();
  });
  afterEach(() => store.close());

  it('catches up with what was written before it started, then follows live writes', async () => {
    for (let i = 0; i < 50; i++) await write(store, `a${i}`);
    await store.append('other-1', [{ type: 'Unrelated', data: {}, metadata: meta }]);
    const runner = new ProjectionRunner(store, new MemoryReadStore(), [notesProjection()]);
    await runner.start();
    expect(await runner.collection('notes', 'notes').countDocuments({})).to.equal(50);
    const position = await write(store, 'live', 'bob');
    expect(await runner.waitFor(position)).to.equal(true);
    expect(await runner.collection('notes', 'notes').findOne({ author: 'bob' })).to.include({ _id: 'live' });
    runner.stop();
  });

  it('makes the indexes a store put off while it filled a collection once caught up, before any query', async () => {
    for (let i = 0; i < 20; i++) await write(store, `a${i}`, i % 2 ? 'ann' : 'bob');
    const dir = mkdtempSync(join(tmpdir(), 'eschat-runner-'));
    const file = join(dir, 'read-models.db');
    const readStore = new SqliteReadStore(file);
    try {
      const runner = new ProjectionRunner(store, readStore, [notesProjection()]);
      await runner.start();
      runner.stop();
      // Another connection: a query of this one would make the index itself.
      const other = new Database(file, { readonly: true });
      const indexes = other.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND sql LIKE '%author%'`).pluck().all();
      other.close();
      expect(indexes).to.have.length(1);
    } finally {
      await readStore.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waitFor answers false when the position is not reached in time', async () => {
    const runner = new ProjectionRunner(store, new MemoryReadStore(), [notesProjection()]);
    await runner.start();
    expect(await runner.waitFor(10_000, 30)).to.equal(false);
    runner.stop();
  });

  it('resumes from its checkpoint and does not apply an event twice', async () => {
    const readStore = new MemoryReadStore();
    const first = new ProjectionRunner(store, readStore, [notesProjection()]);
    await first.start();
    await first.waitFor(await write(store, 'one'));
    first.stop();
    await write(store, 'two');
    const second = new ProjectionRunner(store, readStore, [notesProjection()]);
    await second.start();
    const [status] = await second.status();
    expect(status).to.include({ name: 'notes', state: 'live', lag: 0, position: await store.headPosition() });
    expect(sorted(await second.collection('notes', 'notes').find({}))).to.deep.equal([
      { _id: 'one', author: 'ann', text: 'text one' },
      { _id: 'two', author: 'ann', text: 'text two' },
    ]);
    second.stop();
  });

  it('rebuilds a projection whose checkpoint is there but whose data is missing', async () => {
    const readStore = new MemoryReadStore();
    const first = new ProjectionRunner(store, readStore, [notesProjection()]);
    await first.start();
    await first.waitFor(await write(store, 'kept'));
    await first.close();
    await readStore.collection('notes.notes.g1').drop();
    const second = new ProjectionRunner(store, readStore, [notesProjection()]);
    await second.start();
    expect(sorted(await second.collection('notes', 'notes').find({}))).to.deep.equal([{ _id: 'kept', author: 'ann', text: 'text kept' }]);
    expect((await second.status())[0]).to.include({ generation: 2, state: 'live' });
    second.stop();
  });

  it('writes the checkpoint of a projection with no events in a batch only later: at close', async () => {
    const readStore = new MemoryReadStore();
    const runner = new ProjectionRunner(store, readStore, [notesProjection()]);
    await runner.start();
    const noted = await write(store, 'one');
    await runner.waitFor(noted);
    const unrelated = (await store.append('other-1', [{ type: 'Unrelated', data: {}, metadata: meta }])).position;
    await runner.waitFor(unrelated);
    const checkpoint = () => readStore.collection(CHECKPOINTS).findOne({ _id: 'notes' });
    expect(await checkpoint()).to.include({ position: noted });
    await runner.close();
    expect(await checkpoint()).to.include({ position: unrelated });
  });

  it('rebuilds beside the served version while writes go on, and ends equal to a fresh build', async () => {
    const runner = new ProjectionRunner(store, new MemoryReadStore(), [notesProjection()]);
    for (let i = 0; i < 300; i++) await write(store, `r${i}`, i % 2 ? 'ann' : 'bob');
    await runner.start();
    const writing = (async () => {
      for (let i = 0; i < 100; i++) await write(store, `during${i}`);
    })();
    await runner.rebuild('notes');
    await writing;
    await runner.waitFor(await store.headPosition());
    const [status] = await runner.status();
    expect(status?.generation).to.equal(2);

    const fresh = new ProjectionRunner(store, new MemoryReadStore(), [notesProjection()]);
    await fresh.start();
    const rebuilt = sorted(await runner.collection('notes', 'notes').find({}));
    expect(rebuilt).to.have.length(400);
    expect(rebuilt).to.deep.equal(sorted(await fresh.collection('notes', 'notes').find({})));
    runner.stop();
    fresh.stop();
  });

  it('rebuilds a projection whose version changed, then serves the new shape', async () => {
    const readStore = new MemoryReadStore();
    const old = new ProjectionRunner(store, readStore, [notesProjection(1)]);
    await write(store, 'x');
    await old.start();
    old.stop();
    const upgraded = new ProjectionRunner(store, readStore, [notesProjection(2)]);
    await upgraded.start();
    expect(await upgraded.collection('notes', 'notes').findOne({ _id: 'x' })).to.include({ version: 2 });
    const [status] = await upgraded.status();
    expect(status).to.include({ version: 2, generation: 2, state: 'live' });
    upgraded.stop();
  });

  it('applies a long run emitted at once in order and in batches, including what arrives while the first batch applies', async () => {
    const written = (position: number, id: string): StoredEvent => ({
      id: `e${position}`,
      stream: `note-${id}`,
      revision: 0,
      position,
      type: 'MessageSent',
      data: note(id, 'ann', `text ${position}`),
      metadata: meta,
      created: 0,
    });
    // 2,500 events in one synchronous run, rewriting 50 notes: the last write of each must win.
    const run = Array.from({ length: 2500 }, (_, i) => written(i + 1, `n${(i + 1) % 50}`));
    const runner = new ProjectionRunner(store, new MemoryReadStore(), [notesProjection()], { batchSize: 100, subscribe: () => from(run) });
    await runner.start();
    expect(await runner.waitFor(2500)).to.equal(true);
    const notes = runner.collection<Document>('notes', 'notes');
    expect(await notes.countDocuments({})).to.equal(50);
    expect(await notes.findOne({ _id: 'n7' })).to.include({ text: 'text 2457', position: 2457 });
    expect(runner.position).to.equal(2500);
    runner.stop();
  });

  it('applies a run the feed emits at once (the events of one commit) in one transaction per projection', async () => {
    const readStore = new MemoryReadStore();
    const commits: FencedBatch[] = [];
    const commitFenced = readStore.commitFenced.bind(readStore);
    readStore.commitFenced = (batch) => {
      if (batch.writes.length > 0) commits.push(batch);
      return commitFenced(batch);
    };
    const feed = new Subject<StoredEvent>();
    const runner = new ProjectionRunner(store, readStore, [notesProjection()], { subscribe: () => feed });
    await runner.start();
    const events = [];
    for (let i = 0; i < 5; i++) {
      const position = await write(store, `b${i}`);
      const event = await store.readAt(position);
      if (event) events.push(event);
    }
    for (const event of events) feed.next(event);
    expect(await runner.waitFor(events.at(-1)?.position ?? 0)).to.equal(true);
    expect(commits.map((batch) => batch.writes.flatMap((writes) => writes.operations).length)).to.deep.equal([5]);
    expect(await runner.collection('notes', 'notes').countDocuments({})).to.equal(5);
    runner.stop();
  });
});
