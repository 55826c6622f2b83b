import { expect } from 'chai';
import type { MemoryCollection } from '../../../src/store/memory/memory-collection.js';
import { MemoryReadStore } from '../../../src/store/memory/memory-read-store.js';
import type { Document, Filter, FindOptions } from '../../../src/store/ports/read-store.js';
import { readStoreContract, rejection } from '../ports/read-store.contract.js';

readStoreContract('memory', async () => new MemoryReadStore());

describe('MemoryReadStore', function () {
  let store: MemoryReadStore;

  beforeEach(function () {
    store = new MemoryReadStore();
  });

  /** 20 rooms of 500 messages: `_id` = room * 1000 + seq. */
  async function chat(indexed: boolean): Promise<MemoryCollection> {
    const messages = store.collection(indexed ? 'messages' : 'messages_plain');
    if (indexed) await messages.createIndex({ room: 1, seq: 1 });
    const operations = [];
    for (let room = 0; room < 20; room++) {
      for (let seq = 1; seq <= 500; seq++) {
        operations.push({ insertOne: { document: { _id: room * 1000 + seq, room, seq, author: seq % 7 } } });
      }
    }
    await messages.bulkWrite(operations);
    return messages;
  }

  describe('indexed lookups are not scans', function () {
    it('looks an _id up directly', async function () {
      const messages = await chat(false);
      expect((await messages.findOne({ _id: 9250 }))?.seq).to.equal(250);
      expect(messages.stats().lastScanned).to.equal(1);
      await messages.find({ _id: { $in: [9001, 9002, 999_999] } });
      expect(messages.stats().lastScanned).to.equal(2);
    });

    it('answers a batch of ids as the filter would: each once, sorted, skipped and limited', async function () {
      const messages = await chat(false);
      const ids = [9003, 1001, 9003, 999_999, '1002', 1002];
      const found = await messages.find({ _id: { $in: ids } }, { sort: { _id: -1 }, skip: 1, limit: 2 });
      expect(found.map((doc) => doc._id)).to.deep.equal([1002, 1001]);
      expect(messages.stats().lastScanned).to.equal(3);
      // The same filter with a condition that always holds takes the general path: the control.
      const general = await messages.find({ _id: { $in: ids }, seq: { $gte: 0 } }, { sort: { _id: -1 }, skip: 1, limit: 2 });
      expect(general).to.deep.equal(found);
    });

    it('scans every document without a usable index (the control)', async function () {
      const messages = await chat(false);
      await messages.find({ room: 9, seq: { $lt: 500 } }, { sort: { seq: -1 }, limit: 50 });
      expect(messages.stats().lastScanned).to.equal(10_000);
    });

    it('reads a page of history by walking the room index backwards from the bound', async function () {
      const messages = await chat(true);
      const page = await messages.find({ room: 9, seq: { $lt: 300 } }, { sort: { seq: -1 }, limit: 50 });
      expect(page.map((doc) => doc.seq)).to.deep.equal(Array.from({ length: 50 }, (_, i) => 299 - i));
      expect(messages.stats().lastScanned).to.equal(50);
    });

    it('reads forwards, with a sort naming the fixed room too', async function () {
      const messages = await chat(true);
      const page = await messages.find({ room: 3, seq: { $gt: 100, $lte: 110 } }, { sort: { room: 1, seq: 1 } });
      expect(page.map((doc) => doc.seq)).to.deep.equal([101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
      expect(messages.stats().lastScanned).to.equal(10);
    });

    it('walks backwards down to the lower bound', async function () {
      const messages = await chat(true);
      const tail = await messages.find({ room: 9, seq: { $gt: 495 } }, { sort: { seq: -1 } });
      expect(tail.map((doc) => doc.seq)).to.deep.equal([500, 499, 498, 497, 496]);
      const head = await messages.find({ room: 9, seq: { $lte: 3 } }, { sort: { seq: -1 } });
      expect(head.map((doc) => doc.seq)).to.deep.equal([3, 2, 1]);
    });

    it('skips within the index walk', async function () {
      const messages = await chat(true);
      const page = await messages.find({ room: 3 }, { sort: { seq: -1 }, skip: 10, limit: 5 });
      expect(page.map((doc) => doc.seq)).to.deep.equal([490, 489, 488, 487, 486]);
      expect(messages.stats().lastScanned).to.equal(15);
    });

    it('tests only the room for a filter on the prefix with another condition', async function () {
      const messages = await chat(true);
      expect(await messages.countDocuments({ room: 4, author: 0 })).to.equal(71);
      expect(messages.stats().lastScanned).to.equal(500);
    });

    it('uses $in on the prefix and equality on the last field', async function () {
      const messages = await chat(true);
      const found = await messages.find({ room: { $in: [1, 2, 3] }, seq: 7 });
      expect(found.map((doc) => doc._id).sort()).to.deep.equal([1007, 2007, 3007]);
      expect(messages.stats().lastScanned).to.equal(3);
    });

    it('uses the index for updates and deletes by indexed keys', async function () {
      const messages = await chat(true);
      await messages.updateOne({ room: 5, seq: 42 }, { $set: { edited: true } });
      expect(messages.stats().lastScanned).to.equal(1);
      expect((await messages.findOne({ _id: 5042 }))?.edited).to.equal(true);
      expect(await messages.deleteMany({ room: 5, seq: { $gt: 490 } })).to.deep.equal({ deletedCount: 10 });
      expect(messages.stats().lastScanned).to.equal(10);
      expect(await messages.countDocuments({ room: 5 })).to.equal(490);
    });

    it('uses a multikey index for array membership', async function () {
      const rooms = store.collection('rooms');
      await rooms.createIndex({ members: 1 });
      for (let i = 0; i < 1000; i++) await rooms.insertOne({ _id: i, members: [i % 50, 100 + (i % 7)] });
      const found = await rooms.find({ members: 3 });
      expect(found.map((doc) => doc._id).sort((a, b) => Number(a) - Number(b))).to.deep.equal(
        Array.from({ length: 20 }, (_, i) => 3 + 50 * i),
      );
      expect(rooms.stats().lastScanned).to.equal(20);
      const either = await rooms.find({ members: { $in: [3, 103] } }, { sort: { _id: 1 } });
      const expected = Array.from({ length: 1000 }, (_, i) => i).filter((i) => i % 50 === 3 || i % 7 === 3);
      expect(either.map((doc) => doc._id)).to.deep.equal(expected);
      // An array sorts by its smallest element ascending, whichever element matched the filter.
      const sorted = await rooms.find({ members: { $gte: 100 } }, { sort: { members: 1 }, limit: 3 });
      expect(sorted.map((doc) => doc.members)).to.deep.equal([
        [0, 100],
        [0, 101],
        [0, 102],
      ]);
      // Each bound may be met by a different element: [5, 105] is > 60 and < 90.
      expect(await rooms.countDocuments({ members: { $gt: 60, $lt: 90 } })).to.equal(1000);
    });

    it('follows an indexed field through updates and deletes', async function () {
      const users = store.collection('users');
      await users.createIndex({ login: 1 });
      await users.bulkWrite(Array.from({ length: 100 }, (_, i) => ({ insertOne: { document: { _id: i, login: `u${i}` } } })));
      await users.updateOne({ _id: 7 }, { $set: { login: 'renamed' } });
      await users.deleteOne({ _id: 8 });
      expect(await users.find({ login: 'u7' })).to.deep.equal([]);
      expect(await users.find({ login: 'u8' })).to.deep.equal([]);
      expect(await users.find({ login: 'renamed' })).to.deep.equal([{ _id: 7, login: 'renamed' }]);
      expect(users.stats().lastScanned).to.equal(1);
    });
  });

  it('answers like a scan whatever the index: random writes and queries, with and without indexes', async function () {
    const indexed = store.collection('indexed');
    const plain = store.collection('plain');
    await indexed.createIndex({ room: 1, seq: 1 });
    await indexed.createIndex({ tags: 1 });
    await indexed.createIndex({ score: -1 });
    const random = seeded(42);
    const pick = <V>(values: readonly V[]): V => values[Math.floor(random() * values.length)] as V;
    for (let i = 0; i < 3000; i++) {
      const operation = randomOperation(random, pick);
      const [withIndexes, withoutIndexes] = await Promise.all(
        [indexed, plain].map((collection) => outcome(collection.bulkWrite([operation]))),
      );
      expect(withIndexes).to.equal(withoutIndexes);
    }
    // Mongo leaves the order of equal sort keys open: compare the keys, and whole documents when _id decides ties.
    const queries: Array<[Filter, FindOptions & { sort: Record<string, 1 | -1> }]> = [
      [{ room: 2 }, { sort: { seq: -1 }, limit: 7 }],
      [{ room: 2, seq: { $gte: 10, $lt: 40 } }, { sort: { seq: 1 } }],
      [{ score: { $gte: 90 } }, { sort: { score: -1 }, limit: 5 }],
      [{ room: { $in: [0, 3] }, seq: { $lte: 20 } }, { sort: { seq: -1, _id: 1 } }],
      [{ tags: 'b' }, { sort: { _id: 1 } }],
      [{ tags: { $in: ['a', 'c'] }, room: 1 }, { sort: { _id: -1 } }],
      [{ score: { $gt: 50 } }, { sort: { score: -1, _id: 1 }, limit: 20 }],
      [{ score: { $lt: 10 } }, { sort: { _id: 1 } }],
      [{ score: null }, { sort: { _id: 1 } }],
      [{}, { sort: { score: 1, _id: 1 }, skip: 5, limit: 10 }],
    ];
    for (const [filter, options] of queries) {
      const expected = await plain.find(filter, options);
      const actual = await indexed.find(filter, options);
      const keys = Object.keys(options.sort);
      expect(expected.length, JSON.stringify(filter)).to.be.greaterThan(0);
      expect(
        actual.map((doc) => keys.map((key) => doc[key])),
        JSON.stringify(filter),
      ).to.deep.equal(expected.map((doc) => keys.map((key) => doc[key])));
      if (keys.includes('_id')) expect(actual, JSON.stringify(filter)).to.deep.equal(expected);
    }
    expect(await indexed.countDocuments()).to.equal(await plain.countDocuments());
  });

  it('keeps a large index group in order through random inserts and deletes', async function () {
    const indexed = store.collection('big');
    const plain = store.collection('big_plain');
    await indexed.createIndex({ score: 1 });
    const random = seeded(7);
    const docs = Array.from({ length: 6000 }, (_, i) => ({ _id: i, score: Math.floor(random() * 3000) }));
    for (const collection of [indexed, plain]) await collection.bulkWrite(docs.map((document) => ({ insertOne: { document } })));
    const doomed = { _id: { $in: docs.filter(() => random() < 0.3).map((doc) => doc._id) } };
    for (const collection of [indexed, plain]) await collection.deleteMany(doomed);
    for (const [low, high] of [
      [0, 10],
      [1000, 1400],
      [2990, 3000],
    ] as const) {
      const filter = { score: { $gte: low, $lt: high } };
      const expected = await plain.find(filter, { sort: { score: 1, _id: 1 } });
      expect(await indexed.find(filter, { sort: { score: 1, _id: 1 } })).to.deep.equal(expected);
      expect(indexed.stats().lastScanned).to.equal(expected.length);
      const descending = await indexed.find(filter, { sort: { score: -1 }, limit: 5 });
      expect(descending.map((doc) => doc.score)).to.deep.equal(
        [...expected]
          .reverse()
          .slice(0, 5)
          .map((doc) => doc.score),
      );
    }
  });

  it('bounds a one-sided range to the type of its bound, as Mongo compares', async function () {
    const scores = store.collection('scores');
    await scores.createIndex({ score: 1 });
    const values = [null, 1, 5, 9, 'a', 'z', true, new Date(0)];
    await scores.bulkWrite(values.map((score, i) => ({ insertOne: { document: { _id: i, score } } })));
    await scores.bulkWrite([{ insertOne: { document: { _id: 'missing' } } }]);
    expect((await scores.find({ score: { $gt: 4 } }, { sort: { score: 1 } })).map((doc) => doc.score)).to.deep.equal([5, 9]);
    expect(scores.stats().lastScanned).to.equal(2);
    expect((await scores.find({ score: { $lt: 6 } }, { sort: { score: -1 } })).map((doc) => doc.score)).to.deep.equal([5, 1]);
    expect(scores.stats().lastScanned).to.equal(2);
    expect((await scores.find({ score: { $gte: 'b' } })).map((doc) => doc.score)).to.deep.equal(['z']);
    expect(scores.stats().lastScanned).to.equal(1);
  });

  it('keeps an index on a nested field in step with updates of that field', async function () {
    const users = store.collection('nested');
    await users.createIndex({ 'profile.login': 1 }, { unique: true });
    await users.insertOne({ _id: 1, profile: { login: 'ann', age: 1 } });
    await users.insertOne({ _id: 2, profile: { login: 'bob', age: 2 } });
    await users.updateOne({ _id: 1 }, { $set: { 'profile.login': 'anna' } });
    expect(await users.find({ 'profile.login': 'ann' })).to.deep.equal([]);
    expect(await users.find({ 'profile.login': 'anna' })).to.deep.equal([{ _id: 1, profile: { login: 'anna', age: 1 } }]);
    expect(users.stats().lastScanned).to.equal(1);
    await users.insertOne({ _id: 3, profile: { login: 'ann' } });
    expect(await rejection(users.updateOne({ _id: 2 }, { $set: { 'profile.login': 'anna' } }))).to.have.property(
      'name',
      'DuplicateKeyError',
    );
    expect(await users.findOne({ _id: 2 })).to.deep.equal({ _id: 2, profile: { login: 'bob', age: 2 } });
  });

  it('does not confuse filters that JSON renders alike (regexes, dates)', async function () {
    const people = store.collection('people');
    await people.bulkWrite([
      { insertOne: { document: { _id: 1, name: 'ann', at: new Date(0) } } },
      { insertOne: { document: { _id: 2, name: 'bob', at: new Date(0).toISOString() } } },
    ]);
    expect((await people.find({ name: /^a/ })).map((doc) => doc._id)).to.deep.equal([1]);
    expect((await people.find({ name: /^b/ })).map((doc) => doc._id)).to.deep.equal([2]);
    expect((await people.find({ at: new Date(0) })).map((doc) => doc._id)).to.deep.equal([1]);
    expect((await people.find({ at: new Date(0).toISOString() })).map((doc) => doc._id)).to.deep.equal([2]);
  });

  it('lists the collections that exist', async function () {
    await store.collection('a').insertOne({ _id: 1 });
    await store.collection('b').createIndex({ k: 1 });
    store.collection('untouched');
    expect((await store.listCollections()).sort()).to.deep.equal(['a', 'b']);
  });

  it('never changes a document handed over to it: updates copy what they change', async function () {
    const rooms = new MemoryReadStore().collection('rooms');
    // As a projection hands over a document that shares its event's arrays.
    const event = { members: [1, 2], settings: { name: 'g' } };
    const document = { _id: 7, members: event.members, settings: event.settings };
    await rooms.bulkWrite([{ replaceOne: { filter: { _id: 7 }, replacement: document, upsert: true } }], { handOver: true });
    await rooms.updateOne({ _id: 7 }, { $push: { members: 3 }, $set: { 'settings.name': 'h' } });
    await rooms.updateOne({ _id: 7 }, { $pull: { members: 1 } });
    expect(event).to.deep.equal({ members: [1, 2], settings: { name: 'g' } });
    expect(await rooms.findOne({ _id: 7 })).to.deep.equal({ _id: 7, members: [2, 3], settings: { name: 'h' } });
  });

  it('keeps a field named __proto__ (as JSON.parse makes one) as a field, never as the prototype', async function () {
    const docs = store.collection('docs');
    const hostile = JSON.parse('{"_id": 1, "__proto__": {"polluted": true}, "nested": {"__proto__": {"deep": 1}}}') as Document;
    await docs.insertOne(hostile);
    const found = (await docs.findOne({ _id: 1 })) as Record<string, unknown>;
    expect(Object.getPrototypeOf(found)).to.equal(Object.prototype);
    expect(found['polluted']).to.equal(undefined);
    expect(Object.getOwnPropertyNames(found)).to.include('__proto__');
    expect(Object.getPrototypeOf(found['nested'])).to.equal(Object.prototype);
  });

  it('rejects an _id that is neither a string nor a number', async function () {
    const docs = store.collection('docs');
    const error = await rejection(docs.insertOne({ _id: { nested: 1 } } as unknown as Document));
    expect(error).to.be.instanceOf(TypeError);
    expect(await docs.countDocuments()).to.equal(0);
  });

  it('undoes an updateMany that fails halfway', async function () {
    const users = store.collection('users');
    await users.createIndex({ login: 1 }, { unique: true });
    await users.bulkWrite([
      { insertOne: { document: { _id: 1, login: 'a', group: 1 } } },
      { insertOne: { document: { _id: 2, login: 'b', group: 1 } } },
    ]);
    expect(await rejection(users.updateMany({ group: 1 }, { $set: { login: 'same' } }))).to.have.property('name', 'DuplicateKeyError');
    expect(await users.find({}, { sort: { _id: 1 } })).to.deep.equal([
      { _id: 1, login: 'a', group: 1 },
      { _id: 2, login: 'b', group: 1 },
    ]);
  });
});

type Chooser = <V>(values: readonly V[]) => V;

/**
 * An operation on the random dataset: inserts, upserts, updates moving indexed values,
 * deletes. None picks one of several matches, which Mongo leaves unspecified.
 */
function randomOperation(random: () => number, pick: Chooser) {
  const id = Math.floor(random() * 400);
  const tags = ['a', 'b', 'c', 'd'].filter(() => random() < 0.4);
  const fields = {
    room: pick([0, 1, 2, 3]),
    seq: Math.floor(random() * 60),
    tags,
    score: random() < 0.1 ? null : Math.floor(random() * 100),
  };
  switch (pick(['insert', 'upsert', 'upsert', 'move', 'tag', 'delete', 'deleteMany'] as const)) {
    case 'insert':
      return { insertOne: { document: { _id: id, ...fields } } };
    case 'upsert':
      return { updateOne: { filter: { _id: id }, update: { $set: fields }, upsert: true } };
    case 'move':
      return {
        updateMany: {
          filter: { room: fields.room, seq: { $gt: fields.seq } },
          update: { $inc: { seq: 1 }, $max: { score: fields.score } },
        },
      };
    case 'tag':
      return { updateMany: { filter: { tags: pick(['a', 'b']), room: fields.room }, update: { $addToSet: { tags: pick(['c', 'd']) } } } };
    case 'delete':
      return { deleteOne: { filter: { _id: id } } };
    case 'deleteMany':
      return { deleteMany: { filter: { room: fields.room, seq: fields.seq } } };
  }
}

/** 'ok', or the name of the error the write failed with. */
async function outcome(write: Promise<unknown>): Promise<string> {
  try {
    await write;
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.name : String(error);
  }
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
