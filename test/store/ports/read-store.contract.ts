import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { DuplicateKeyError, type Collection, type Document, type ReadStore } from '../../../src/store/ports/read-store.js';

/**
 * The behaviour every ReadStore adapter owes the projections and queries: Mongo's, for
 * the subset of the collection API the port exposes. Each test works in collections of
 * its own (random names), dropped afterwards, so the suite can run on a shared server.
 */
export function readStoreContract(name: string, open: () => Promise<ReadStore>): void {
  describe(`ReadStore contract: ${name}`, function () {
    let store: ReadStore;
    const used: Collection[] = [];

    before(async function () {
      store = await open();
    });

    afterEach(async function () {
      await Promise.all(used.splice(0).map((collection) => collection.drop()));
    });

    after(async function () {
      await store.close();
    });

    function fresh<T extends Document = Document>(label = 'c'): Collection<T> {
      const collection = store.collection<T>(`contract_${label}_${randomUUID().slice(0, 8)}`);
      used.push(collection as unknown as Collection);
      return collection;
    }

    /** A collection holding `docs`. */
    async function withDocs(docs: Document[]): Promise<Collection> {
      const collection = fresh();
      for (const doc of docs) await collection.insertOne(doc);
      return collection;
    }

    async function ids(collection: Collection, filter: Record<string, unknown> = {}): Promise<unknown[]> {
      return (await collection.find(filter, { sort: { _id: 1 } })).map((doc) => doc._id);
    }

    describe('CRUD', function () {
      it('inserts and finds a document by _id, and finds nothing for an unknown one', async function () {
        const rooms = fresh();
        await rooms.insertOne({ _id: 'r1', name: 'general', members: [1, 2], meta: { owner: 1 } });
        expect(await rooms.findOne({ _id: 'r1' })).to.deep.equal({ _id: 'r1', name: 'general', members: [1, 2], meta: { owner: 1 } });
        expect(await rooms.findOne({ _id: 'nope' })).to.equal(null);
        expect(await rooms.find({ _id: 'nope' })).to.deep.equal([]);
      });

      it('keeps numeric and string ids apart', async function () {
        const docs = await withDocs([
          { _id: 1, kind: 'number' },
          { _id: '1', kind: 'string' },
        ]);
        expect((await docs.findOne({ _id: 1 }))?.kind).to.equal('number');
        expect((await docs.findOne({ _id: '1' }))?.kind).to.equal('string');
      });

      it('finds every document with an empty filter', async function () {
        const docs = await withDocs([{ _id: 1 }, { _id: 2 }, { _id: 3 }]);
        expect(await ids(docs)).to.deep.equal([1, 2, 3]);
      });

      it('rejects a second document with the same _id and keeps the first', async function () {
        const docs = await withDocs([{ _id: 'a', v: 1 }]);
        expect(await rejection(docs.insertOne({ _id: 'a', v: 2 }))).to.be.instanceOf(DuplicateKeyError);
        expect(await docs.find({})).to.deep.equal([{ _id: 'a', v: 1 }]);
      });

      it('replaces a whole document, keeping its _id', async function () {
        const docs = await withDocs([{ _id: 'a', v: 1, gone: true }]);
        expect(await docs.replaceOne({ _id: 'a' }, { _id: 'a', v: 2 })).to.deep.equal({
          matchedCount: 1,
          modifiedCount: 1,
          upsertedCount: 0,
        });
        expect(await docs.findOne({ _id: 'a' })).to.deep.equal({ _id: 'a', v: 2 });
        expect(await docs.replaceOne({ _id: 'a' }, { _id: 'a', v: 2 })).to.deep.equal({
          matchedCount: 1,
          modifiedCount: 0,
          upsertedCount: 0,
        });
      });

      it('replaces by another filter than _id', async function () {
        const docs = await withDocs([{ _id: 'a', key: 'k', v: 1 }]);
        await docs.replaceOne({ key: 'k' }, { _id: 'a', key: 'k', v: 5 });
        expect(await docs.findOne({ _id: 'a' })).to.deep.equal({ _id: 'a', key: 'k', v: 5 });
      });

      it('upserts with replaceOne, and does nothing without upsert when nothing matches', async function () {
        const docs = fresh();
        expect(await docs.replaceOne({ _id: 'x' }, { _id: 'x', v: 1 })).to.deep.equal({
          matchedCount: 0,
          modifiedCount: 0,
          upsertedCount: 0,
        });
        expect(await docs.countDocuments()).to.equal(0);
        expect(await docs.replaceOne({ _id: 'x' }, { _id: 'x', v: 1 }, { upsert: true })).to.deep.equal({
          matchedCount: 0,
          modifiedCount: 0,
          upsertedCount: 1,
        });
        expect(await docs.findOne({ _id: 'x' })).to.deep.equal({ _id: 'x', v: 1 });
      });

      it('deletes one of several matches with deleteOne', async function () {
        const docs = await withDocs([
          { _id: 1, k: 'a' },
          { _id: 2, k: 'a' },
          { _id: 3, k: 'b' },
        ]);
        expect(await docs.deleteOne({ k: 'a' })).to.deep.equal({ deletedCount: 1 });
        expect(await docs.countDocuments({ k: 'a' })).to.equal(1);
        expect(await docs.countDocuments({ k: 'b' })).to.equal(1);
        expect(await docs.deleteOne({ k: 'zzz' })).to.deep.equal({ deletedCount: 0 });
      });

      it('deletes every match with deleteMany, and only them', async function () {
        const docs = await withDocs([
          { _id: 1, k: 'a' },
          { _id: 2, k: 'a' },
          { _id: 3, k: 'b' },
        ]);
        expect(await docs.deleteMany({ k: 'a' })).to.deep.equal({ deletedCount: 2 });
        expect(await ids(docs)).to.deep.equal([3]);
        expect(await docs.deleteMany({ k: 'a' })).to.deep.equal({ deletedCount: 0 });
      });

      it('counts documents with and without a filter', async function () {
        const docs = await withDocs([
          { _id: 1, n: 1 },
          { _id: 2, n: 2 },
          { _id: 3, n: 3 },
        ]);
        expect(await docs.countDocuments()).to.equal(3);
        expect(await docs.countDocuments({})).to.equal(3);
        expect(await docs.countDocuments({ n: { $gte: 2 } })).to.equal(2);
        expect(await fresh().countDocuments()).to.equal(0);
      });
    });

    describe('update operators', function () {
      async function updated(initial: Document, update: Record<string, unknown>): Promise<Document | null> {
        const docs = await withDocs([initial]);
        await docs.updateOne({ _id: initial._id }, update);
        return docs.findOne({ _id: initial._id });
      }

      it('$set sets top-level and nested fields, creating the objects on the way and keeping siblings', async function () {
        const doc = await updated(
          { _id: 1, a: 1, profile: { name: 'x', age: 3 } },
          { $set: { a: 2, 'profile.name': 'y', 'deep.er.field': true } },
        );
        expect(doc).to.deep.equal({ _id: 1, a: 2, profile: { name: 'y', age: 3 }, deep: { er: { field: true } } });
      });

      it('$set of the current value matches without modifying', async function () {
        const docs = await withDocs([{ _id: 1, a: 1, list: [1, { b: 2 }] }]);
        expect(await docs.updateOne({ _id: 1 }, { $set: { a: 1, list: [1, { b: 2 }] } })).to.deep.equal({
          matchedCount: 1,
          modifiedCount: 0,
          upsertedCount: 0,
        });
        expect(await docs.updateOne({ _id: 1 }, { $set: { a: 5 } })).to.deep.equal({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
      });

      it('$unset removes fields, nested ones included, and ignores missing ones', async function () {
        const docs = await withDocs([{ _id: 1, a: 1, b: 2, p: { q: 1, r: 2 } }]);
        await docs.updateOne({ _id: 1 }, { $unset: { a: '', 'p.q': '' } });
        expect(await docs.findOne({ _id: 1 })).to.deep.equal({ _id: 1, b: 2, p: { r: 2 } });
        expect((await docs.updateOne({ _id: 1 }, { $unset: { missing: '' } })).modifiedCount).to.equal(0);
      });

      it('$inc adds to numbers and starts missing fields at the increment', async function () {
        const doc = await updated({ _id: 1, n: 5, p: { m: 1 } }, { $inc: { n: -2, 'p.m': 10, fresh: 3 } });
        expect(doc).to.deep.equal({ _id: 1, n: 3, p: { m: 11 }, fresh: 3 });
      });

      it('$inc rejects a non-numeric field and leaves the document as it was', async function () {
        const docs = await withDocs([{ _id: 1, n: 'text' }]);
        expect(await rejection(docs.updateOne({ _id: 1 }, { $inc: { n: 1 } }))).to.be.instanceOf(Error);
        expect(await docs.findOne({ _id: 1 })).to.deep.equal({ _id: 1, n: 'text' });
      });

      it('$max and $min replace only with a greater / smaller value, and set missing fields', async function () {
        const docs = await withDocs([{ _id: 1, hi: 10, lo: 10 }]);
        expect((await docs.updateOne({ _id: 1 }, { $max: { hi: 5 }, $min: { lo: 15 } })).modifiedCount).to.equal(0);
        await docs.updateOne({ _id: 1 }, { $max: { hi: 20, newHi: 1 }, $min: { lo: 2, newLo: 7 } });
        expect(await docs.findOne({ _id: 1 })).to.deep.equal({ _id: 1, hi: 20, lo: 2, newHi: 1, newLo: 7 });
      });

      it('$push appends, creating the array when missing', async function () {
        const doc = await updated({ _id: 1, list: [1] }, { $push: { list: 2, other: { k: 1 } } });
        expect(doc).to.deep.equal({ _id: 1, list: [1, 2], other: [{ k: 1 }] });
      });

      it('$push with $each appends several values', async function () {
        const doc = await updated({ _id: 1, list: [1] }, { $push: { list: { $each: [2, 3] } } });
        expect(doc).to.deep.equal({ _id: 1, list: [1, 2, 3] });
      });

      it('$addToSet adds a value once, and $each several values not yet present', async function () {
        const docs = await withDocs([{ _id: 1, members: [1, 2] }]);
        expect((await docs.updateOne({ _id: 1 }, { $addToSet: { members: 3 } })).modifiedCount).to.equal(1);
        expect((await docs.updateOne({ _id: 1 }, { $addToSet: { members: 3 } })).modifiedCount).to.equal(0);
        await docs.updateOne({ _id: 1 }, { $addToSet: { members: { $each: [2, 4, 4, 5] }, created: 'x' } });
        expect(await docs.findOne({ _id: 1 })).to.deep.equal({ _id: 1, members: [1, 2, 3, 4, 5], created: ['x'] });
      });

      it('$addToSet compares documents by content', async function () {
        const docs = await withDocs([{ _id: 1, items: [{ k: 1 }] }]);
        expect((await docs.updateOne({ _id: 1 }, { $addToSet: { items: { k: 1 } } })).modifiedCount).to.equal(0);
        await docs.updateOne({ _id: 1 }, { $addToSet: { items: { k: 2 } } });
        expect((await docs.findOne({ _id: 1 }))?.items).to.deep.equal([{ k: 1 }, { k: 2 }]);
      });

      it('$pull removes every occurrence of a value, and elements matching a condition', async function () {
        const docs = await withDocs([{ _id: 1, members: [1, 2, 1, 3], scores: [1, 5, 9] }]);
        await docs.updateOne({ _id: 1 }, { $pull: { members: 1, scores: { $gte: 5 } } });
        expect(await docs.findOne({ _id: 1 })).to.deep.equal({ _id: 1, members: [2, 3], scores: [1] });
        expect((await docs.updateOne({ _id: 1 }, { $pull: { members: 42 } })).modifiedCount).to.equal(0);
      });

      it('rejects an update touching the same path twice, changing nothing', async function () {
        const docs = await withDocs([{ _id: 1, a: 1, p: { q: 1 } }]);
        expect(await rejection(docs.updateOne({ _id: 1 }, { $set: { a: 2 }, $inc: { a: 1 } }))).to.be.instanceOf(Error);
        expect(await rejection(docs.updateOne({ _id: 1 }, { $set: { p: {}, 'p.q': 2 } }))).to.be.instanceOf(Error);
        expect(await docs.findOne({ _id: 1 })).to.deep.equal({ _id: 1, a: 1, p: { q: 1 } });
      });

      it('rejects an update changing _id, changing nothing', async function () {
        const docs = await withDocs([{ _id: 1, a: 1 }]);
        expect(await rejection(docs.updateOne({ _id: 1 }, { $set: { _id: 2, a: 2 } }))).to.be.instanceOf(Error);
        expect(await rejection(docs.replaceOne({ _id: 1 }, { _id: 3, a: 3 }))).to.be.instanceOf(Error);
        expect(await docs.find({})).to.deep.equal([{ _id: 1, a: 1 }]);
      });

      it('updateMany updates every match and reports the counts', async function () {
        const docs = await withDocs([
          { _id: 1, k: 'a', n: 0 },
          { _id: 2, k: 'a', n: 5 },
          { _id: 3, k: 'b', n: 0 },
        ]);
        expect(await docs.updateMany({ k: 'a' }, { $max: { n: 5 } })).to.deep.equal({
          matchedCount: 2,
          modifiedCount: 1,
          upsertedCount: 0,
        });
        expect((await docs.find({}, { sort: { _id: 1 } })).map((doc) => doc.n)).to.deep.equal([5, 5, 0]);
      });

      it('updates nothing and creates nothing when nothing matches without upsert', async function () {
        const docs = await withDocs([{ _id: 1 }]);
        expect(await docs.updateOne({ _id: 2 }, { $set: { a: 1 } })).to.deep.equal({ matchedCount: 0, modifiedCount: 0, upsertedCount: 0 });
        expect(await docs.updateMany({ k: 'x' }, { $set: { a: 1 } })).to.deep.equal({
          matchedCount: 0,
          modifiedCount: 0,
          upsertedCount: 0,
        });
        expect(await docs.countDocuments()).to.equal(1);
      });

      it('updates by a filter other than _id', async function () {
        const docs = await withDocs([
          { _id: 1, room: 9, user: 3 },
          { _id: 2, room: 9, user: 4 },
        ]);
        await docs.updateOne({ room: 9, user: 4 }, { $set: { read: 10 } });
        expect(await docs.findOne({ _id: 2 })).to.deep.equal({ _id: 2, room: 9, user: 4, read: 10 });
        expect(await docs.findOne({ _id: 1 })).to.deep.equal({ _id: 1, room: 9, user: 3 });
      });
    });

    describe('upsert', function () {
      it('creates the document from the filter equalities and the update', async function () {
        const docs = fresh();
        const result = await docs.updateOne(
          { _id: 'm1', room: 9, 'to.user': 3, seq: { $gt: 5 } },
          { $set: { text: 'hi' } },
          { upsert: true },
        );
        expect(result).to.deep.equal({ matchedCount: 0, modifiedCount: 0, upsertedCount: 1 });
        expect(await docs.findOne({ _id: 'm1' })).to.deep.equal({ _id: 'm1', room: 9, to: { user: 3 }, text: 'hi' });
      });

      it('seeds from the equalities of a top-level $and and from $eq', async function () {
        const docs = fresh();
        await docs.updateOne({ $and: [{ _id: 'a' }, { k: { $eq: 1 } }] }, { $set: { v: 2 } }, { upsert: true });
        expect(await docs.findOne({ _id: 'a' })).to.deep.equal({ _id: 'a', k: 1, v: 2 });
      });

      it('applies $setOnInsert on insert only', async function () {
        const docs = fresh();
        await docs.updateOne({ _id: 'u' }, { $set: { name: 'a' }, $setOnInsert: { createdAt: 1 } }, { upsert: true });
        expect(await docs.findOne({ _id: 'u' })).to.deep.equal({ _id: 'u', name: 'a', createdAt: 1 });
        const again = await docs.updateOne({ _id: 'u' }, { $set: { name: 'b' }, $setOnInsert: { createdAt: 2 } }, { upsert: true });
        expect(again).to.deep.equal({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
        expect(await docs.findOne({ _id: 'u' })).to.deep.equal({ _id: 'u', name: 'b', createdAt: 1 });
      });

      it('applies each operator once when creating with operators of every kind', async function () {
        const docs = fresh();
        const update = { $inc: { n: 1 }, $push: { list: { $each: [1, 2], $slice: -5 } }, $addToSet: { set: 'a' }, $setOnInsert: { at: 1 } };
        await docs.updateOne({ _id: 'p' }, update, { upsert: true });
        expect(await docs.findOne({ _id: 'p' })).to.deep.equal({ _id: 'p', n: 1, list: [1, 2], set: ['a'], at: 1 });
        await docs.updateOne({ _id: 'p' }, update, { upsert: true });
        expect(await docs.findOne({ _id: 'p' })).to.deep.equal({ _id: 'p', n: 2, list: [1, 2, 1, 2], set: ['a'], at: 1 });
      });

      it('updates the existing document instead when the filter matches', async function () {
        const docs = await withDocs([{ _id: 'r', room: 9, n: 1 }]);
        const result = await docs.updateOne({ room: 9 }, { $inc: { n: 1 } }, { upsert: true });
        expect(result).to.deep.equal({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
        expect(await docs.find({})).to.deep.equal([{ _id: 'r', room: 9, n: 2 }]);
      });

      it('gives a document created without _id a string _id', async function () {
        const docs = fresh();
        await docs.updateOne({ room: 7 }, { $set: { x: 1 } }, { upsert: true });
        const [created] = await docs.find({ room: 7 });
        expect(created?._id).to.be.a('string');
        expect(await docs.findOne({ _id: created?._id ?? '' })).to.deep.equal({ _id: created?._id, room: 7, x: 1 });
      });

      it('upserts one document with updateMany when nothing matches', async function () {
        const docs = fresh();
        expect(await docs.updateMany({ _id: 'z', k: 1 }, { $set: { v: 1 } }, { upsert: true })).to.deep.equal({
          matchedCount: 0,
          modifiedCount: 0,
          upsertedCount: 1,
        });
        expect(await docs.find({})).to.deep.equal([{ _id: 'z', k: 1, v: 1 }]);
      });
    });

    describe('find options', function () {
      const people: Document[] = [
        { _id: 1, name: 'ann', age: 30, city: 'b', profile: { score: 5 } },
        { _id: 2, name: 'bob', age: 25, city: 'a', profile: { score: 9 } },
        { _id: 3, name: 'cid', age: 30, city: 'a', profile: { score: 1 } },
        { _id: 4, name: 'dan', age: 41, city: 'c', profile: { score: 7 } },
        { _id: 5, name: 'eve', city: 'c' },
      ];

      it('sorts ascending and descending, missing values first in ascending order', async function () {
        const docs = await withDocs(people);
        expect((await docs.find({}, { sort: { age: 1, _id: 1 } })).map((doc) => doc._id)).to.deep.equal([5, 2, 1, 3, 4]);
        expect((await docs.find({}, { sort: { age: -1, _id: 1 } })).map((doc) => doc._id)).to.deep.equal([4, 1, 3, 2, 5]);
      });

      it('sorts on several keys with mixed directions', async function () {
        const docs = await withDocs(people);
        const sorted = await docs.find({}, { sort: { city: 1, age: -1 } });
        expect(sorted.map((doc) => doc._id)).to.deep.equal([3, 2, 1, 4, 5]);
      });

      it('sorts on a nested field', async function () {
        const docs = await withDocs(people);
        const sorted = await docs.find({ profile: { $exists: true } }, { sort: { 'profile.score': -1 } });
        expect(sorted.map((doc) => doc._id)).to.deep.equal([2, 4, 1, 3]);
      });

      it('skips and limits after sorting', async function () {
        const docs = await withDocs(people);
        expect((await docs.find({}, { sort: { _id: 1 }, limit: 2 })).map((doc) => doc._id)).to.deep.equal([1, 2]);
        expect((await docs.find({}, { sort: { _id: 1 }, skip: 3 })).map((doc) => doc._id)).to.deep.equal([4, 5]);
        expect((await docs.find({}, { sort: { _id: -1 }, skip: 1, limit: 2 })).map((doc) => doc._id)).to.deep.equal([4, 3]);
        expect(await docs.find({}, { skip: 10 })).to.deep.equal([]);
      });

      it('findOne honours sort and skip', async function () {
        const docs = await withDocs(people);
        expect((await docs.findOne({ city: 'a' }, { sort: { age: -1 } }))?._id).to.equal(3);
        expect((await docs.findOne({}, { sort: { _id: 1 }, skip: 2 }))?._id).to.equal(3);
      });

      it('projects by inclusion, with _id unless excluded', async function () {
        const docs = await withDocs(people);
        expect(await docs.findOne({ _id: 1 }, { projection: { name: 1, 'profile.score': 1 } })).to.deep.equal({
          _id: 1,
          name: 'ann',
          profile: { score: 5 },
        });
        expect(await docs.find({ _id: 2 }, { projection: { name: 1, _id: 0 } })).to.deep.equal([{ name: 'bob' }]);
      });

      it('projects top-level fields: only those a document has, copied, none from the prototype', async function () {
        const docs = await withDocs([
          { _id: 1, name: 'ann', tags: ['x'], age: 30 },
          { _id: 2, age: 41 },
        ]);
        const projection = Object.fromEntries(['name', 'tags', 'constructor'].map((field) => [field, 1 as const]));
        const found = await docs.find({}, { sort: { _id: 1 }, projection });
        expect(found).to.deep.equal([{ _id: 1, name: 'ann', tags: ['x'] }, { _id: 2 }]);
        (found[0]?.tags as string[]).push('y');
        expect(await docs.findOne({ _id: 1 }, { projection: { tags: 1, _id: 0 } })).to.deep.equal({ tags: ['x'] });
        expect(await docs.findOne({ _id: 2 }, { projection: { _id: 1 } })).to.deep.equal({ _id: 2 });
      });

      // The memory store answered in the projection's order.
      it('answers top-level fields in the document’s order, as MongoDB does, whatever the projection’s order', async function () {
        const docs = await withDocs([{ _id: 1, b: 2, a: 1, c: 3 }]);
        expect(Object.keys((await docs.findOne({ _id: 1 }, { projection: { a: 1, b: 1 } })) ?? {})).to.deep.equal(['_id', 'b', 'a']);
        expect(Object.keys((await docs.findOne({ _id: 1 }, { projection: { c: 1, a: 1, _id: 0 } })) ?? {})).to.deep.equal(['a', 'c']);
      });

      it('projects by exclusion', async function () {
        const docs = await withDocs(people);
        expect(await docs.findOne({ _id: 1 }, { projection: { profile: 0, city: 0 } })).to.deep.equal({ _id: 1, name: 'ann', age: 30 });
      });
    });

    describe('filters', function () {
      const rooms: Document[] = [
        { _id: 1, kind: 'group', members: [1, 2, 3], seq: 10, owner: { id: 1, name: 'ann' } },
        { _id: 2, kind: 'direct', members: [3, 4], seq: 20, owner: { id: 3, name: 'cid' } },
        { _id: 3, kind: 'group', members: [5], seq: 30, owner: { id: 5, name: 'eve' } },
        { _id: 4, kind: 'channel', members: [], seq: 40 },
      ];

      it('$in matches any of the values', async function () {
        const docs = await withDocs(rooms);
        expect(await ids(docs, { kind: { $in: ['direct', 'channel'] } })).to.deep.equal([2, 4]);
        expect(await ids(docs, { _id: { $in: [1, 3, 99] } })).to.deep.equal([1, 3]);
        expect(await ids(docs, { kind: { $in: [] } })).to.deep.equal([]);
      });

      it('$gt/$gte/$lt/$lte select ranges', async function () {
        const docs = await withDocs(rooms);
        expect(await ids(docs, { seq: { $gt: 10, $lt: 40 } })).to.deep.equal([2, 3]);
        expect(await ids(docs, { seq: { $gte: 10, $lte: 20 } })).to.deep.equal([1, 2]);
        expect(await ids(docs, { seq: { $lt: '50' } })).to.deep.equal([]);
      });

      it('$or matches either branch', async function () {
        const docs = await withDocs(rooms);
        expect(await ids(docs, { $or: [{ kind: 'direct' }, { seq: { $gte: 40 } }] })).to.deep.equal([2, 4]);
      });

      it('dot paths reach nested fields', async function () {
        const docs = await withDocs(rooms);
        expect(await ids(docs, { 'owner.name': 'cid' })).to.deep.equal([2]);
        expect(await ids(docs, { 'owner.id': { $gte: 3 } })).to.deep.equal([2, 3]);
      });

      it('a value matches arrays that contain it', async function () {
        const docs = await withDocs(rooms);
        expect(await ids(docs, { members: 3 })).to.deep.equal([1, 2]);
        expect(await ids(docs, { members: { $in: [4, 5] } })).to.deep.equal([2, 3]);
        expect(await ids(docs, { members: 3, kind: 'group' })).to.deep.equal([1]);
      });

      it('null matches missing fields', async function () {
        const docs = await withDocs(rooms);
        expect(await ids(docs, { owner: null })).to.deep.equal([4]);
      });
    });

    describe('indexes', function () {
      it('rejects an insert that breaks a unique index, leaving the data unchanged', async function () {
        const users = fresh();
        await users.createIndex({ login: 1 }, { unique: true });
        await users.insertOne({ _id: 1, login: 'ann' });
        const error = await rejection(users.insertOne({ _id: 2, login: 'ann' }));
        expect(error).to.be.instanceOf(DuplicateKeyError);
        expect(await users.find({})).to.deep.equal([{ _id: 1, login: 'ann' }]);
      });

      it('rejects an update that breaks a unique index, leaving the document unchanged', async function () {
        const users = fresh();
        await users.createIndex({ login: 1 }, { unique: true });
        await users.insertOne({ _id: 1, login: 'ann' });
        await users.insertOne({ _id: 2, login: 'bob', age: 3 });
        expect(await rejection(users.updateOne({ _id: 2 }, { $set: { login: 'ann', age: 4 } }))).to.be.instanceOf(DuplicateKeyError);
        expect(await rejection(users.replaceOne({ _id: 2 }, { _id: 2, login: 'ann' }))).to.be.instanceOf(DuplicateKeyError);
        expect(await users.findOne({ _id: 2 })).to.deep.equal({ _id: 2, login: 'bob', age: 3 });
        expect(await users.find({ login: 'ann' })).to.deep.equal([{ _id: 1, login: 'ann' }]);
      });

      it('rejects an update of a nested field that breaks a unique index, leaving the document unchanged', async function () {
        const users = fresh();
        await users.createIndex({ 'profile.login': 1 }, { unique: true });
        await users.insertOne({ _id: 1, profile: { login: 'ann' } });
        await users.insertOne({ _id: 2, profile: { login: 'bob', age: 3 } });
        expect(await rejection(users.updateOne({ _id: 2 }, { $set: { 'profile.login': 'ann', 'profile.age': 4 } }))).to.be.instanceOf(
          DuplicateKeyError,
        );
        expect(await users.findOne({ _id: 2 })).to.deep.equal({ _id: 2, profile: { login: 'bob', age: 3 } });
        expect(await users.countDocuments({ 'profile.login': 'bob' })).to.equal(1);
      });

      it('rejects an upsert that breaks a unique index, creating nothing', async function () {
        const users = fresh();
        await users.createIndex({ login: 1 }, { unique: true });
        await users.insertOne({ _id: 1, login: 'ann' });
        expect(await rejection(users.updateOne({ _id: 2 }, { $set: { login: 'ann' } }, { upsert: true }))).to.be.instanceOf(
          DuplicateKeyError,
        );
        expect(await users.countDocuments()).to.equal(1);
      });

      it('enforces a compound unique index on the combination only', async function () {
        const reads = fresh();
        await reads.createIndex({ room: 1, user: 1 }, { unique: true });
        await reads.insertOne({ _id: 1, room: 1, user: 1 });
        await reads.insertOne({ _id: 2, room: 1, user: 2 });
        await reads.insertOne({ _id: 3, room: 2, user: 1 });
        const error = await rejection(reads.insertOne({ _id: 4, room: 2, user: 1 }));
        expect(error).to.be.instanceOf(DuplicateKeyError);
        expect((error as DuplicateKeyError).key).to.deep.include({ room: 2, user: 1 });
        expect(await reads.countDocuments()).to.equal(3);
      });

      it('lets documents move off a unique value and others take it', async function () {
        const users = await withDocs([{ _id: 1, login: 'ann' }]);
        await users.createIndex({ login: 1 }, { unique: true });
        await users.updateOne({ _id: 1 }, { $set: { login: 'anna' } });
        await users.insertOne({ _id: 2, login: 'ann' });
        await users.deleteOne({ _id: 2 });
        await users.insertOne({ _id: 3, login: 'ann' });
        expect(await ids(users, { login: { $in: ['ann', 'anna'] } })).to.deep.equal([1, 3]);
      });

      it('counts a missing uniquely indexed field as null, like Mongo', async function () {
        const users = fresh();
        await users.createIndex({ email: 1 }, { unique: true });
        await users.insertOne({ _id: 1 });
        expect(await rejection(users.insertOne({ _id: 2 }))).to.be.instanceOf(DuplicateKeyError);
      });

      it('indexes existing data, and answers queries the same with the index', async function () {
        const messages = await withDocs(Array.from({ length: 30 }, (_, i) => ({ _id: i, room: i % 3, seq: i })));
        const before = await messages.find({ room: 1, seq: { $lt: 20 } }, { sort: { seq: -1 }, limit: 4 });
        await messages.createIndex({ room: 1, seq: 1 });
        const after = await messages.find({ room: 1, seq: { $lt: 20 } }, { sort: { seq: -1 }, limit: 4 });
        expect(after.map((doc) => doc.seq)).to.deep.equal([19, 16, 13, 10]);
        expect(after).to.deep.equal(before);
      });

      it('fills a page past the index candidates the rest of the filter rejects', async function () {
        // The newest 20 of room 1 are hidden: a store reading the index a page at a time must read on.
        const messages = await withDocs(Array.from({ length: 60 }, (_, i) => ({ _id: i, room: i % 2, hidden: i >= 20 })));
        await messages.createIndex({ room: 1, _id: 1 });
        const page = await messages.find({ room: 1, hidden: false }, { sort: { _id: -1 }, limit: 3, skip: 1 });
        expect(page.map((doc) => doc._id)).to.deep.equal([17, 15, 13]);
        expect(await messages.findOne({ room: 1, hidden: false }, { sort: { _id: -1 } })).to.deep.equal({
          _id: 19,
          room: 1,
          hidden: false,
        });
      });

      it('counts a document once in a page of a multikey index that holds it several times', async function () {
        const rooms = await withDocs(Array.from({ length: 6 }, (_, i) => ({ _id: i, members: [i % 2, i % 2, 7] })));
        await rooms.createIndex({ members: 1 });
        const page = await rooms.find({ members: { $in: [0, 7] } }, { sort: { _id: 1 }, limit: 4 });
        expect(page.map((doc) => doc._id)).to.deep.equal([0, 1, 2, 3]);
        expect(await rooms.countDocuments({ members: { $in: [1, 7] } })).to.equal(6);
      });

      it('refuses a unique index over duplicate data, and creates no index', async function () {
        const users = await withDocs([
          { _id: 1, login: 'ann' },
          { _id: 2, login: 'ann' },
        ]);
        expect(await rejection(users.createIndex({ login: 1 }, { unique: true }))).to.be.instanceOf(DuplicateKeyError);
        await users.insertOne({ _id: 3, login: 'ann' });
        expect(await users.countDocuments({ login: 'ann' })).to.equal(3);
      });

      it('refuses a document with arrays in two fields of a compound index', async function () {
        const docs = fresh();
        await docs.createIndex({ a: 1, b: 1 });
        await docs.insertOne({ _id: 1, a: [1, 2], b: 1 });
        expect(await rejection(docs.insertOne({ _id: 2, a: [1, 2], b: [3, 4] }))).to.be.instanceOf(Error);
        expect(await ids(docs)).to.deep.equal([1]);
      });

      it('accepts the same index twice', async function () {
        const users = fresh();
        await users.createIndex({ login: 1 }, { unique: true });
        await users.createIndex({ login: 1 }, { unique: true });
        await users.insertOne({ _id: 1, login: 'ann' });
        expect(await rejection(users.insertOne({ _id: 2, login: 'ann' }))).to.be.instanceOf(DuplicateKeyError);
      });
    });

    describe('bulkWrite', function () {
      it('applies every kind of operation in order', async function () {
        const docs = await withDocs([
          { _id: 'keep', n: 1 },
          { _id: 'gone', n: 1 },
          { _id: 'gone2', n: 2 },
        ]);
        await docs.bulkWrite([
          { insertOne: { document: { _id: 'new', n: 0 } } },
          { updateOne: { filter: { _id: 'new' }, update: { $inc: { n: 5 } } } },
          { updateOne: { filter: { _id: 'up' }, update: { $set: { n: 7 } }, upsert: true } },
          { updateMany: { filter: { n: { $gte: 5 } }, update: { $set: { big: true } } } },
          { replaceOne: { filter: { _id: 'keep' }, replacement: { _id: 'keep', n: 100 } } },
          { deleteOne: { filter: { _id: 'gone' } } },
          { deleteMany: { filter: { n: 2 } } },
        ]);
        expect(await docs.find({}, { sort: { _id: 1 } })).to.deep.equal([
          { _id: 'keep', n: 100 },
          { _id: 'new', n: 5, big: true },
          { _id: 'up', n: 7, big: true },
        ]);
      });

      it('stops at the first failure, keeping what came before', async function () {
        const docs = fresh();
        const error = await rejection(
          docs.bulkWrite([
            { insertOne: { document: { _id: 'a' } } },
            { updateOne: { filter: { _id: 'b' }, update: { $set: { v: 1 } }, upsert: true } },
            { insertOne: { document: { _id: 'a' } } },
            { insertOne: { document: { _id: 'c' } } },
          ]),
        );
        expect(error).to.be.instanceOf(DuplicateKeyError);
        expect(await ids(docs)).to.deep.equal(['a', 'b']);
      });

      // The shapes projections write by the thousand (src/projections): by _id, upserting, $set and $setOnInsert.
      it('applies the projections’ writes by _id: replacing, setting, conditions, inserts only, deletes, indexes following', async function () {
        const docs = fresh();
        await docs.createIndex({ tags: 1 });
        await docs.createIndex({ owner: 1, version: 1 });
        await docs.insertOne({ _id: 'listed', tags: ['a'], owner: 1, version: 5, state: 'x' });
        await docs.bulkWrite([
          { replaceOne: { filter: { _id: 1 }, replacement: { _id: 1, tags: ['a', 'b'], owner: 1, version: 1 }, upsert: true } },
          { replaceOne: { filter: { _id: 1 }, replacement: { _id: 1, tags: ['c'], owner: 2, version: 2 }, upsert: true } },
          { replaceOne: { filter: { _id: 2 }, replacement: { _id: 2, tags: 'b', owner: 1, version: 3 }, upsert: true } },
          { updateOne: { filter: { _id: 'listed' }, update: { $set: { tags: ['b', 'd'], extra: { n: 1 } } }, upsert: true } },
          { updateOne: { filter: { _id: 'made' }, update: { $set: { owner: 3 }, $setOnInsert: { version: 0, tags: [] } }, upsert: true } },
          { updateOne: { filter: { _id: 'listed' }, update: { $setOnInsert: { state: 'never' } }, upsert: true } },
          { updateOne: { filter: { _id: 'seeded' }, update: { $setOnInsert: { owner: 5, version: 0, tags: ['e'] } }, upsert: true } },
          { updateOne: { filter: { _id: 'seeded' }, update: { $setOnInsert: { owner: 6, tags: ['f'] } }, upsert: true } },
          { updateOne: { filter: { _id: 'listed', version: { $lt: 4 } }, update: { $set: { state: 'older' } } } },
          { updateOne: { filter: { _id: 'listed', version: { $lt: 9 } }, update: { $set: { state: 'newer', version: 9 } } } },
          { updateOne: { filter: { _id: 'listed', version: { $lt: 'z' } }, update: { $set: { state: 'a string bound' } } } },
          { updateOne: { filter: { _id: 'absent' }, update: { $set: { owner: 4 } } } },
          { deleteOne: { filter: { _id: 2 } } },
          { deleteOne: { filter: { _id: 'absent' } } },
        ]);
        expect(await docs.find({}, { sort: { _id: 1 } })).to.deep.equal([
          { _id: 1, tags: ['c'], owner: 2, version: 2 },
          { _id: 'listed', tags: ['b', 'd'], owner: 1, version: 9, state: 'newer', extra: { n: 1 } },
          { _id: 'made', owner: 3, version: 0, tags: [] },
          { _id: 'seeded', owner: 5, version: 0, tags: ['e'] },
        ]);
        expect(await ids(docs, { tags: 'e' })).to.deep.equal(['seeded']);
        expect(await ids(docs, { tags: 'f' })).to.deep.equal([]);
        expect(await ids(docs, { owner: 5, version: 0 })).to.deep.equal(['seeded']);
        expect(await ids(docs, { tags: 'a' })).to.deep.equal([]);
        expect(await ids(docs, { tags: 'b' })).to.deep.equal(['listed']);
        expect(await ids(docs, { tags: 'c' })).to.deep.equal([1]);
        expect(await ids(docs, { owner: 1, version: { $gt: 0 } })).to.deep.equal(['listed']);
        expect(await ids(docs, { owner: 2 })).to.deep.equal([1]);
      });

      it('adds to a set by _id as the media projection does: upserting, once, following a multikey index', async function () {
        const docs = fresh();
        await docs.createIndex({ rooms: 1 });
        await docs.insertOne({ _id: 'm1', rooms: [1] });
        await docs.insertOne({ _id: 'm2', owner: 7 });
        await docs.bulkWrite([
          { updateOne: { filter: { _id: 'm1' }, update: { $addToSet: { rooms: 2 } }, upsert: true } },
          { updateOne: { filter: { _id: 'm1' }, update: { $addToSet: { rooms: 1 } }, upsert: true } },
          { updateOne: { filter: { _id: 'm2' }, update: { $addToSet: { rooms: 3 } } } },
          { updateOne: { filter: { _id: 'm3' }, update: { $addToSet: { rooms: 'x' } }, upsert: true } },
          { updateOne: { filter: { _id: 'm4' }, update: { $addToSet: { rooms: 4 } } } },
        ]);
        expect(await docs.find({}, { sort: { _id: 1 } })).to.deep.equal([
          { _id: 'm1', rooms: [1, 2] },
          { _id: 'm2', owner: 7, rooms: [3] },
          { _id: 'm3', rooms: ['x'] },
        ]);
        expect(await ids(docs, { rooms: 2 })).to.deep.equal(['m1']);
        expect(await ids(docs, { rooms: 3 })).to.deep.equal(['m2']);
      });

      it('undoes only the write by _id that breaks a unique index, keeping what came before', async function () {
        const docs = fresh();
        await docs.createIndex({ login: 1 }, { unique: true });
        await docs.insertOne({ _id: 'ann', login: 'ann' });
        const error = await rejection(
          docs.bulkWrite([
            { replaceOne: { filter: { _id: 'bob' }, replacement: { _id: 'bob', login: 'bob' }, upsert: true } },
            { updateOne: { filter: { _id: 'bob' }, update: { $set: { login: 'ann' } } } },
            { replaceOne: { filter: { _id: 'cid' }, replacement: { _id: 'cid', login: 'cid' }, upsert: true } },
          ]),
        );
        expect(error).to.be.instanceOf(DuplicateKeyError);
        const again = await rejection(
          docs.bulkWrite([{ replaceOne: { filter: { _id: 'dan' }, replacement: { _id: 'dan', login: 'bob' }, upsert: true } }]),
        );
        expect(again).to.be.instanceOf(DuplicateKeyError);
        const seeded = await rejection(
          docs.bulkWrite([{ updateOne: { filter: { _id: 'eve' }, update: { $setOnInsert: { login: 'ann' } }, upsert: true } }]),
        );
        expect(seeded).to.be.instanceOf(DuplicateKeyError);
        expect(await docs.find({}, { sort: { _id: 1 } })).to.deep.equal([
          { _id: 'ann', login: 'ann' },
          { _id: 'bob', login: 'bob' },
        ]);
        expect(await ids(docs, { login: 'bob' })).to.deep.equal(['bob']);
      });

      it('applies handed-over documents as it would copies, and still returns copies of them', async function () {
        const docs = await withDocs([{ _id: 'old', n: 1 }]);
        const inserted = { _id: 'new', list: [1], nested: { a: 1 } };
        const replacement = { _id: 'old', n: 2, list: [2] };
        const created = { _id: 'made', list: [3] };
        await docs.bulkWrite(
          [
            { insertOne: { document: inserted } },
            { replaceOne: { filter: { _id: 'old' }, replacement } },
            { replaceOne: { filter: { _id: 'made' }, replacement: created, upsert: true } },
            { updateOne: { filter: { _id: 'new' }, update: { $push: { list: 4 } } } },
          ],
          { handOver: true },
        );
        const found = await docs.find({}, { sort: { _id: 1 } });
        expect(found).to.deep.equal([
          { _id: 'made', list: [3] },
          { _id: 'new', list: [1, 4], nested: { a: 1 } },
          { _id: 'old', n: 2, list: [2] },
        ]);
        (found[1]?.list as number[]).push(5);
        (found[2]?.list as number[]).push(5);
        expect(await docs.find({}, { sort: { _id: 1 } })).to.deep.equal([
          { _id: 'made', list: [3] },
          { _id: 'new', list: [1, 4], nested: { a: 1 } },
          { _id: 'old', n: 2, list: [2] },
        ]);
      });

      it('accepts an empty batch', async function () {
        const docs = fresh();
        await docs.bulkWrite([]);
        expect(await docs.countDocuments()).to.equal(0);
      });
    });

    describe('commitFenced', function () {
      /** A fence collection and two data collections of the test's own. */
      function batchWorld() {
        const fences = fresh('fences');
        const a = fresh('a');
        const b = fresh('b');
        const at = (position: number, generation = 1) => ({ _id: 'p', version: 1, generation, position });
        const writes = (label: string) => [
          { collection: a.name, operations: [{ insertOne: { document: { _id: label, in: 'a' } } }] },
          {
            collection: b.name,
            operations: [{ replaceOne: { filter: { _id: 'last' }, replacement: { _id: 'last', label }, upsert: true } }],
          },
        ];
        return { fences, a, b, at, writes };
      }

      it('creates an absent fence with the writes, and then refuses another writer that read it absent', async function () {
        const { fences, a, b, at, writes } = batchWorld();
        expect(await store.commitFenced({ fences: fences.name, from: null, to: at(5), writes: writes('first') })).to.equal(true);
        expect(await store.commitFenced({ fences: fences.name, from: null, to: at(9), writes: writes('late') })).to.equal(false);
        expect(await fences.find({})).to.deep.equal([at(5)]);
        expect(await ids(a)).to.deep.equal(['first']);
        expect(await b.find({})).to.deep.equal([{ _id: 'last', label: 'first' }]);
      });

      it('moves the fence from where its writer read it, with writes to several collections', async function () {
        const { fences, a, b, at, writes } = batchWorld();
        await fences.insertOne(at(5));
        expect(await store.commitFenced({ fences: fences.name, from: at(5), to: at(8), writes: writes('next') })).to.equal(true);
        expect(await fences.findOne({ _id: 'p' })).to.deep.equal(at(8));
        expect(await ids(a)).to.deep.equal(['next']);
        expect(await b.find({})).to.deep.equal([{ _id: 'last', label: 'next' }]);
      });

      it('applies nothing and leaves the fence when another writer moved it: never back, nothing over newer writes', async function () {
        const { fences, a, b, at, writes } = batchWorld();
        await fences.insertOne(at(5));
        expect(await store.commitFenced({ fences: fences.name, from: at(5), to: at(9), writes: writes('ahead') })).to.equal(true);
        expect(await store.commitFenced({ fences: fences.name, from: at(5), to: at(7), writes: writes('lagging') })).to.equal(false);
        expect(await fences.findOne({ _id: 'p' })).to.deep.equal(at(9));
        expect(await ids(a)).to.deep.equal(['ahead']);
        expect(await b.find({})).to.deep.equal([{ _id: 'last', label: 'ahead' }]);
      });

      it('compares every field of the fence as read: another generation at the same position refuses', async function () {
        const { fences, a, at, writes } = batchWorld();
        await fences.insertOne(at(5, 2));
        expect(await store.commitFenced({ fences: fences.name, from: at(5, 1), to: at(6, 1), writes: writes('old') })).to.equal(false);
        expect(await fences.findOne({ _id: 'p' })).to.deep.equal(at(5, 2));
        expect(await a.countDocuments()).to.equal(0);
      });

      it('lets exactly one of two writers that read the same fence commit', async function () {
        const { fences, a, at, writes } = batchWorld();
        await fences.insertOne(at(5));
        const results = await Promise.all([
          store.commitFenced({ fences: fences.name, from: at(5), to: at(7), writes: writes('one') }),
          store.commitFenced({ fences: fences.name, from: at(5), to: at(8), writes: writes('two') }),
        ]);
        expect(results.filter(Boolean)).to.have.length(1);
        const winner = results[0] ? 'one' : 'two';
        expect(await fences.findOne({ _id: 'p' })).to.deep.equal(at(results[0] ? 7 : 8));
        expect(await ids(a)).to.deep.equal([winner]);
      });

      it('applies nothing when a write fails: the writes before it undone, the fence unmoved, the error thrown', async function () {
        const { fences, a, b, at } = batchWorld();
        await fences.insertOne(at(5));
        await a.insertOne({ _id: 'taken', v: 0 });
        await b.insertOne({ _id: 'kept', v: 0 });
        const error = await rejection(
          store.commitFenced({
            fences: fences.name,
            from: at(5),
            to: at(8),
            writes: [
              { collection: b.name, operations: [{ updateOne: { filter: { _id: 'kept' }, update: { $set: { v: 1 } } } }] },
              {
                collection: a.name,
                operations: [
                  { insertOne: { document: { _id: 'new' } } },
                  { deleteOne: { filter: { _id: 'taken' } } },
                  { insertOne: { document: { _id: 'new' } } },
                ],
              },
            ],
          }),
        );
        expect(error).to.be.instanceOf(DuplicateKeyError);
        expect(await fences.findOne({ _id: 'p' })).to.deep.equal(at(5));
        expect(await a.find({})).to.deep.equal([{ _id: 'taken', v: 0 }]);
        expect(await b.find({})).to.deep.equal([{ _id: 'kept', v: 0 }]);
      });

      it('moves the fence alone when the batch has no writes', async function () {
        const { fences, at } = batchWorld();
        await fences.insertOne(at(5));
        expect(await store.commitFenced({ fences: fences.name, from: at(5), to: at(6), writes: [] })).to.equal(true);
        expect(await fences.findOne({ _id: 'p' })).to.deep.equal(at(6));
      });
    });

    describe('collections', function () {
      it('lists collections once written, and not after drop', async function () {
        const docs = fresh('listed');
        await docs.insertOne({ _id: 1 });
        expect(await store.listCollections()).to.include(docs.name);
        await docs.drop();
        expect(await store.listCollections()).not.to.include(docs.name);
        expect(await docs.countDocuments()).to.equal(0);
      });

      it('drops the indexes with the collection', async function () {
        const users = fresh();
        await users.createIndex({ login: 1 }, { unique: true });
        await users.insertOne({ _id: 1, login: 'ann' });
        await users.drop();
        await users.insertOne({ _id: 1, login: 'ann' });
        await users.insertOne({ _id: 2, login: 'ann' });
        expect(await users.countDocuments({ login: 'ann' })).to.equal(2);
      });

      it('drops a collection that does not exist without complaint', async function () {
        const never = fresh();
        await never.drop();
        expect(await store.listCollections()).not.to.include(never.name);
      });
    });

    describe('copies', function () {
      it('returns copies: mutating a result does not change the store', async function () {
        const docs = await withDocs([{ _id: 1, list: [1], nested: { a: 1 } }]);
        const found = await docs.findOne({ _id: 1 });
        (found?.list as number[]).push(2);
        (found?.nested as Record<string, unknown>).a = 99;
        const [listed] = await docs.find({});
        (listed?.list as number[]).push(3);
        expect(await docs.findOne({ _id: 1 })).to.deep.equal({ _id: 1, list: [1], nested: { a: 1 } });
      });

      it('stores copies: mutating what was written does not change the store', async function () {
        const docs = fresh();
        const doc = { _id: 1, list: [1], nested: { a: 1 } };
        await docs.insertOne(doc);
        doc.list.push(2);
        doc.nested.a = 2;
        const value = { deep: [1] };
        await docs.updateOne({ _id: 1 }, { $set: { value }, $push: { list: value } });
        value.deep.push(2);
        expect(await docs.findOne({ _id: 1 })).to.deep.equal({ _id: 1, list: [1, { deep: [1] }], nested: { a: 1 }, value: { deep: [1] } });
      });

      it('keeps earlier results intact when the document changes later', async function () {
        const docs = await withDocs([{ _id: 1, p: { a: 1 }, list: [1] }]);
        const before = await docs.findOne({ _id: 1 });
        await docs.updateOne({ _id: 1 }, { $set: { 'p.a': 2 }, $push: { list: 2 } });
        expect(before).to.deep.equal({ _id: 1, p: { a: 1 }, list: [1] });
      });
    });
  });
}

/** The error a promise rejects with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}
