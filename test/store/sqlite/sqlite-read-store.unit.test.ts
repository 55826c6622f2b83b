import Database from 'better-sqlite3';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projections } from '../../../src/projections/all-projections.js';
import { openReadStore } from '../../../src/store/open-stores.js';
import { MemoryReadStore } from '../../../src/store/memory/memory-read-store.js';
import { DuplicateKeyError, type Document, type Filter, type FindOptions } from '../../../src/store/ports/read-store.js';
import { SqliteReadStore } from '../../../src/store/sqlite/sqlite-read-store.js';
import { readStoreContract, rejection } from '../ports/read-store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'eschat-read-'));
after(function () {
  rmSync(dir, { recursive: true, force: true });
});

readStoreContract('sqlite', async () => new SqliteReadStore(join(dir, 'contract.db')));

describe('SqliteReadStore', function () {
  let file: string;
  let store: SqliteReadStore;
  let count = 0;

  beforeEach(function () {
    file = join(dir, `store-${count++}.db`);
    store = new SqliteReadStore(file);
  });

  afterEach(async function () {
    await store.close();
  });

  async function reopen(): Promise<void> {
    await store.close();
    store = new SqliteReadStore(file);
  }

  describe('on disk', function () {
    it('keeps documents, collections and indexes across a reopen, unique ones still enforced', async function () {
      const users = store.collection('users');
      await users.createIndex({ login: 1 }, { unique: true });
      await users.insertOne({ _id: 1, login: 'ann', profile: { age: 3 } });
      await store.collection('rooms').createIndex({ members: 1 });
      await store.collection('rooms').insertOne({ _id: 7, members: [1, 2] });
      await reopen();
      expect((await store.listCollections()).sort()).to.deep.equal(['rooms', 'users']);
      expect(await store.collection('users').findOne({ login: 'ann' })).to.deep.equal({ _id: 1, login: 'ann', profile: { age: 3 } });
      expect(store.collection('users').sync.explain({ login: 'ann' }).via).to.equal('login_1');
      expect(await rejection(store.collection('users').insertOne({ _id: 2, login: 'ann' }))).to.be.instanceOf(DuplicateKeyError);
      // The multikey side table persists too, and follows writes after the reopen.
      const rooms = store.collection('rooms');
      await rooms.insertOne({ _id: 8, members: [2, 3] });
      expect((await rooms.find({ members: 2 })).map((doc) => doc._id)).to.deep.equal([7, 8]);
      expect(rooms.sync.explain({ members: 2 }).via).to.equal('members_1');
    });

    it('creates an index declared on an empty collection by the first query, also after a reopen, and turns it multikey', async function () {
      const messages = store.collection('messages');
      await messages.createIndex({ room: 1, _id: 1 });
      await messages.createIndex({ tags: 1 });
      await messages.bulkWrite(
        Array.from({ length: 30 }, (_, i) => ({
          replaceOne: { filter: { _id: i }, replacement: { _id: i, room: i % 3, tags: `t${i % 2}` }, upsert: true },
        })),
      );
      await reopen();
      const reopened = store.collection('messages');
      expect(reopened.sync.explain({ room: 1, _id: { $lt: 20 } }, { _id: -1 }).steps.join()).to.match(/USING INDEX c1_x1 /);
      expect((await reopened.find({ room: 1, _id: { $lt: 20 } }, { sort: { _id: -1 }, limit: 3 })).map((doc) => doc._id)).to.deep.equal([
        19, 16, 13,
      ]);
      // The second one meets an array before any query: it becomes multikey with every document's entries.
      await reopened.bulkWrite([
        { replaceOne: { filter: { _id: 30 }, replacement: { _id: 30, room: 0, tags: ['t1', 'x'] }, upsert: true } },
      ]);
      expect(reopened.sync.explain({ tags: 't1' }).steps.join()).to.match(/SEARCH s USING PRIMARY KEY/);
      expect(await reopened.countDocuments({ tags: 't1' })).to.equal(16);
      expect(await reopened.countDocuments({ room: 0 })).to.equal(11);
    });

    it('keeps the ids 1 and "1" apart, also after a reopen and in ranges', async function () {
      const docs = store.collection('docs');
      await docs.insertOne({ _id: 1, kind: 'number' });
      await docs.insertOne({ _id: '1', kind: 'string' });
      await docs.insertOne({ _id: 2.5, kind: 'fraction' });
      await reopen();
      const reopened = store.collection('docs');
      expect(await reopened.findOne({ _id: 1 })).to.deep.equal({ _id: 1, kind: 'number' });
      expect(await reopened.findOne({ _id: '1' })).to.deep.equal({ _id: '1', kind: 'string' });
      expect((await reopened.find({ _id: { $gt: 0 } })).map((doc) => doc._id)).to.deep.equal([1, 2.5]);
      expect((await reopened.find({ _id: { $gte: '' } })).map((doc) => doc._id)).to.deep.equal(['1']);
      expect(await reopened.deleteOne({ _id: '1' })).to.deep.equal({ deletedCount: 1 });
      expect((await reopened.find({})).map((doc) => doc._id)).to.deep.equal([1, 2.5]);
    });
  });

  it('is what openReadStore opens for `sqlite`: read-models.db in the data directory', async function () {
    const dataDir = join(dir, `data-${count++}`);
    const opened = await openReadStore({ readStore: 'sqlite', dataDir });
    await opened.collection('users').insertOne({ _id: 1, name: 'ann' });
    await opened.close();
    const again = new SqliteReadStore(join(dataDir, 'read-models.db'));
    expect(await again.collection('users').find({})).to.deep.equal([{ _id: 1, name: 'ann' }]);
    await again.close();
  });

  describe('transaction', function () {
    it('commits the writes of several collections together', function () {
      store.transaction(() => {
        store.collection('a').sync.insertOne({ _id: 1 });
        store.collection('checkpoints').sync.replaceOne({ _id: 'p' }, { _id: 'p', position: 10 }, { upsert: true });
      });
      expect(store.collection('a').sync.countDocuments()).to.equal(1);
      expect(store.collection('checkpoints').sync.findOne({ _id: 'p' })).to.deep.equal({ _id: 'p', position: 10 });
    });

    it('rolls back every write of the group when one fails, a failed bulkWrite included', async function () {
      await store.collection('a').insertOne({ _id: 'kept', n: 1 });
      const failure = (() => {
        try {
          store.transaction(() => {
            store.collection('a').sync.updateOne({ _id: 'kept' }, { $set: { n: 2 } });
            store.collection('fresh').sync.createIndex({ k: 1 }, { unique: true });
            store.collection('fresh').sync.insertOne({ _id: 1, k: 'x' });
            store.collection('checkpoints').sync.replaceOne({ _id: 'p' }, { _id: 'p', position: 10 }, { upsert: true });
            // Its first operation succeeds, its second fails: the whole group goes.
            store
              .collection('a')
              .sync.bulkWrite([{ insertOne: { document: { _id: 'new' } } }, { insertOne: { document: { _id: 'kept' } } }]);
          });
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(failure).to.be.instanceOf(DuplicateKeyError);
      expect(await store.collection('a').find({})).to.deep.equal([{ _id: 'kept', n: 1 }]);
      expect(await store.listCollections()).to.deep.equal(['a']);
      expect(await store.collection('checkpoints').findOne({ _id: 'p' })).to.equal(null);
      // The rolled-back collection and index are gone for good: the name starts afresh.
      await store.collection('fresh').insertOne({ _id: 1, k: 'x' });
      await store.collection('fresh').insertOne({ _id: 2, k: 'x' });
      expect(await store.collection('fresh').countDocuments({ k: 'x' })).to.equal(2);
    });
  });

  describe('several processes on one file', function () {
    // Two stores on one file, as two servers on one data directory open it.
    let other: SqliteReadStore;
    beforeEach(function () {
      other = new SqliteReadStore(file);
    });
    afterEach(async function () {
      await other.close();
    });

    it('writes to a collection another one created after it opened the file', async function () {
      await other.collection('users').findOne({ _id: 1 }); // reads the catalog before the collection exists
      await store.collection('users').insertOne({ _id: 1, login: 'ann' });
      await other.collection('users').insertOne({ _id: 2, login: 'bob' });
      expect(await store.collection('users').find({}, { sort: { _id: 1 } })).to.deep.equal([
        { _id: 1, login: 'ann' },
        { _id: 2, login: 'bob' },
      ]);
    });

    it('reads a collection another one dropped and made again', async function () {
      await store.collection('rooms').insertOne({ _id: 1, name: 'old' });
      expect(await other.collection('rooms').findOne({ _id: 1 })).to.deep.equal({ _id: 1, name: 'old' });
      await store.collection('rooms').drop();
      await store.collection('rooms').insertOne({ _id: 2, name: 'new' });
      expect(await other.collection('rooms').find({})).to.deep.equal([{ _id: 2, name: 'new' }]);
      await other.collection('rooms').insertOne({ _id: 3, name: 'newer' });
      expect(await store.collection('rooms').countDocuments()).to.equal(2);
    });

    it('keeps the entries of an index another one made, and turned multikey, in step', async function () {
      await other.collection('posts').insertOne({ _id: 0, tags: 'plain' });
      await store.collection('posts').createIndex({ tags: 1 });
      await store.collection('posts').insertOne({ _id: 1, tags: ['red', 'blue'] });
      await other.collection('posts').insertOne({ _id: 2, tags: ['red'] });
      await other.collection('posts').updateOne({ _id: 1 }, { $set: { tags: ['blue'] } });
      expect((await store.collection('posts').find({ tags: 'red' })).map((doc) => doc._id)).to.deep.equal([2]);
      expect(store.collection('posts').sync.explain({ tags: 'red' }).via).to.not.equal('scan');
      expect(other.collection('posts').sync.explain({ tags: 'red' }).via).to.equal(
        store.collection('posts').sync.explain({ tags: 'red' }).via,
      );
    });

    it('fences a batch on a checkpoint another one moved', async function () {
      const at = (position: number) => ({ _id: 'p', version: 1, generation: 1, position });
      const writes = (label: string) => [{ collection: 'docs', operations: [{ insertOne: { document: { _id: label } } }] }];
      expect(await store.commitFenced({ fences: 'fences', from: null, to: at(3), writes: writes('first') })).to.equal(true);
      expect(await other.commitFenced({ fences: 'fences', from: null, to: at(2), writes: writes('late') })).to.equal(false);
      expect(await other.commitFenced({ fences: 'fences', from: at(3), to: at(6), writes: writes('next') })).to.equal(true);
      expect(await store.commitFenced({ fences: 'fences', from: at(3), to: at(4), writes: writes('lagging') })).to.equal(false);
      expect(await store.collection('fences').find({})).to.deep.equal([at(6)]);
      expect((await store.collection('docs').find({}, { sort: { _id: 1 } })).map((doc) => doc._id)).to.deep.equal(['first', 'next']);
    });
  });

  describe('multikey indexes', function () {
    it('turns an index multikey when an array arrives, and keeps its entries in step with updates', async function () {
      const rooms = store.collection('rooms');
      await rooms.createIndex({ tags: 1 });
      await rooms.insertOne({ _id: 1, tags: 'a' });
      expect(rooms.sync.explain({ tags: 'a' }).steps.join()).to.match(/USING INDEX/);
      await rooms.insertOne({ _id: 2, tags: ['a', 'b', 'a'] });
      expect(rooms.sync.explain({ tags: 'b' }).steps.join()).to.match(/SEARCH s USING PRIMARY KEY/);
      expect((await rooms.find({ tags: 'a' })).map((doc) => doc._id)).to.deep.equal([1, 2]);
      expect((await rooms.find({ tags: { $in: ['a', 'b'] } })).map((doc) => doc._id)).to.deep.equal([1, 2]);
      await rooms.updateOne({ _id: 2 }, { $pull: { tags: 'a' } });
      expect((await rooms.find({ tags: 'a' })).map((doc) => doc._id)).to.deep.equal([1]);
      await rooms.deleteOne({ _id: 2 });
      expect(await rooms.find({ tags: 'b' })).to.deep.equal([]);
    });

    it('keeps no entries of an index declared on an empty collection while it fills, then makes it multikey at once when declared again', async function () {
      const rooms = store.collection('rooms');
      const memory = new MemoryReadStore().collection('rooms');
      const writes = [
        // More entries than one statement of the fill inserts.
        ...Array.from({ length: 300 }, (_, i) => ({
          replaceOne: { filter: { _id: i }, replacement: { _id: i, members: [i % 7, (i + 3) % 7, i % 7] }, upsert: true },
        })),
        { updateOne: { filter: { _id: 3 }, update: { $set: { members: [] } } } },
        { updateOne: { filter: { _id: 4 }, update: { $set: { members: 'x' } } } },
        { insertOne: { document: { _id: 300 } } },
        { deleteOne: { filter: { _id: 5 } } },
      ];
      for (const collection of [rooms, memory]) {
        await collection.createIndex({ members: 1 });
        await collection.bulkWrite(writes);
      }
      // Another connection: a query of this one would make the index.
      const sideTables = () => {
        const other = new Database(file, { readonly: true });
        const names = other.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'c*_m*'`).pluck().all();
        other.close();
        return names;
      };
      expect(sideTables(), 'no entries written per document').to.deep.equal([]);
      await rooms.createIndex({ members: 1 });
      expect(sideTables()).to.have.length(1);
      for (const filter of [{ members: 2 }, { members: { $in: [0, 'x'] } }, { members: null }, { members: { $gt: 4 } }]) {
        expect(rooms.sync.explain(filter).via).to.equal('members_1');
        expect(await rooms.find(filter, { sort: { _id: 1 } }), JSON.stringify(filter)).to.deep.equal(
          await memory.find(filter, { sort: { _id: 1 } }),
        );
      }
      // Kept per write from now on.
      await rooms.updateOne({ _id: 6 }, { $set: { members: [9] } });
      expect((await rooms.find({ members: 9 })).map((doc) => doc._id)).to.deep.equal([6]);
    });

    it('refuses parallel arrays in an index declared on an empty collection before it is made, as once made', async function () {
      const docs = store.collection('docs');
      await docs.createIndex({ a: 1, b: 1 });
      const parallel = { _id: 1, a: [1, 2], b: [3, 4] };
      expect(String(await rejection(docs.insertOne(parallel)))).to.match(/parallel arrays/);
      const replace = { replaceOne: { filter: { _id: 1 }, replacement: parallel, upsert: true } };
      expect(String(await rejection(docs.bulkWrite([replace])))).to.match(/parallel arrays/);
      expect(await docs.countDocuments()).to.equal(0);
    });

    it('enforces a unique multikey index across documents, not within one', async function () {
      const docs = store.collection('docs');
      await docs.createIndex({ codes: 1 }, { unique: true });
      await docs.insertOne({ _id: 1, codes: ['x', 'x', 'y'] });
      expect(await rejection(docs.insertOne({ _id: 2, codes: ['z', 'y'] }))).to.be.instanceOf(DuplicateKeyError);
      await docs.insertOne({ _id: 3, codes: ['z'] });
      expect(await docs.countDocuments()).to.equal(2);
    });
  });

  /**
   * Every filter the projections and queries use (src/projections, src/queries,
   * src/realtime/delivery), on collections with the projections' indexes and data shaped like
   * theirs: SQLite walks an index or the primary key for each, never the collection table,
   * and answers exactly as the memory store does.
   */
  describe('the queries of the application', function () {
    const queries: Array<[collection: string, filter: Filter, options?: FindOptions]> = [
      ['projection_checkpoints', { _id: 'messages' }],
      ['users', { _id: 3 }],
      ['users', { _id: { $in: [1, 2, 3] } }, { projection: { name: 1, login: 1, phone: 1, avatar: 1 } }],
      ['users', { phone: '+100' }],
      ['users', { handle: 'u3', login: { $ne: null } }],
      ['sessions', { _id: 'hash3' }],
      ['sessions', { sessionId: 's3' }],
      ['rooms', { _id: 4 }],
      ['rooms', { _id: 3, members: 3, deleted: false }],
      ['rooms', { members: 3, deleted: false }, { sort: { _id: 1 } }],
      ['rooms', { membersKey: '3,4', kind: 'direct' }],
      ['rooms', { membersKey: '4,5,6', kind: 'group', deleted: false }, { sort: { _id: 1 }, limit: 1 }],
      ['rooms', { _id: { $in: [3, 4, 5] }, members: 3, deleted: false }, { projection: { _id: 1 } }],
      ['media', { _id: 'm3' }],
      ['contacts', { owner: 3, version: { $gt: 20 } }, { sort: { version: 1 }, projection: { contact: 1, state: 1, version: 1 } }],
      ['contacts', { _id: '3:13', version: { $lt: 90 } }],
      ['contacts', { _id: '3:13', state: 'contact' }],
      ['requests', { to: 3, at: { $gte: 100 } }, { sort: { at: 1, _id: 1 } }],
      ['requests', { from: 3 }, { sort: { at: 1, _id: 1 } }],
      ['requests', { _id: '3:13' }],
      ['messages', { room: 3 }],
      ['messages', { room: 3, _id: { $lt: 700 } }, { sort: { _id: -1 }, limit: 50 }],
      ['messages', { room: 3, _id: { $gt: 100, $lte: 900 } }, { sort: { _id: 1 }, limit: 100 }],
      ['notifications', { audience: 3, _id: { $gt: 100, $lte: 900 } }, { sort: { _id: 1 }, limit: 100 }],
      ['memberships', { user: 3 }],
      ['memberships', { room: 3, leftAt: null }],
      ['memberships', { _id: '3:13' }],
      ['messages', { room: 3, _id: { $gt: 100 }, sender: { $ne: 4 } }],
      ['read_markers', { _id: '3:13' }],
      ['read_markers', { user: 3 }],
      ['read_markers', { room: 3 }, { sort: { _id: 1 } }],
      ['read_settings', { _id: 3 }],
      ['read_settings', { _id: { $in: [3, 4, 5] }, receipts: false }],
    ];

    /** Data shaped like the projections' documents, with arrays where theirs have them. */
    function documents(collection: string): Document[] {
      const ids = Array.from({ length: 200 }, (_, i) => i);
      switch (collection) {
        case 'users':
          return ids.map((i) => ({ _id: i, handle: `u${i}`, login: i % 5 ? `U${i}` : null, phone: `+${100 + i}`, name: `n${i}` }));
        case 'sessions':
          return ids.map((i) => ({ _id: `hash${i}`, sessionId: `s${i}`, userId: i % 20 }));
        case 'rooms':
          return ids.map((i) => {
            const members = [i % 10, (i + 1) % 10, ...(i % 2 ? [] : [(i + 2) % 10])].sort((a, b) => a - b);
            return { _id: i, kind: i % 2 ? 'direct' : 'group', members, membersKey: members.join(','), deleted: i % 7 === 0 };
          });
        case 'media':
          return ids.map((i) => ({ _id: `m${i}`, rooms: [i % 10] }));
        case 'contacts':
          return ids.map((i) => ({ _id: `${i % 10}:${i}`, owner: i % 10, contact: i, state: i % 3 ? 'contact' : 'removed', version: i }));
        case 'requests':
          return ids.map((i) => ({ _id: `${i % 10}:${i}`, from: i % 10, to: (i + 3) % 10, at: i * 7 }));
        case 'messages':
          return ids.map((i) => ({ _id: i * 5, room: i % 10, sender: i % 7, text: `m${i}` }));
        case 'notifications':
          return ids.map((i) => ({ _id: i * 5, audience: [i % 10, (i + 3) % 10], type: 'RoomCreated' }));
        case 'memberships':
          return ids.map((i) => ({ _id: `${i % 10}:${i}`, user: i % 10, room: i % 13, joinedAt: i, leftAt: i % 4 ? null : i + 1 }));
        case 'read_markers':
          return ids.map((i) => ({ _id: `${i % 10}:${i}`, user: i % 10, room: i % 13, upTo: i * 5 }));
        case 'read_settings':
          return ids.map((i) => ({ _id: i, receipts: i % 2 === 0 }));
        default:
          return [{ _id: 'messages', position: 10 }];
      }
    }

    it('finds every one through an index or the primary key, never a scan, with the memory store’s answers', async function () {
      const memory = new MemoryReadStore();
      const specs = [{ name: 'projection_checkpoints', indexes: [] }, ...projections.flatMap((projection) => projection.collections)];
      for (const spec of specs) {
        for (const target of [store.collection(spec.name), memory.collection(spec.name)]) {
          for (const index of spec.indexes ?? []) await target.createIndex(index.keys, { unique: index.unique ?? false });
          await target.bulkWrite(documents(spec.name).map((document) => ({ insertOne: { document } })));
        }
      }
      expect(store.collection('rooms').sync.explain({ members: 1 }).via, 'rooms.members holds arrays: multikey').to.equal('members_1');
      for (const [name, filter, options] of queries) {
        const label = `${name} ${JSON.stringify(filter)} ${JSON.stringify(options ?? {})}`;
        const { via, steps } = store.collection(name).sync.explain(filter, options?.sort);
        expect(via, label).not.to.equal('scan');
        expect(
          steps.filter((step) => /^SCAN /.test(step) && !step.includes('json_each')),
          `${label}: ${steps.join('; ')}`,
        ).to.deep.equal([]);
        expect(
          steps.filter((step) => step.includes('TEMP B-TREE')),
          `${label}: ${steps.join('; ')}`,
        ).to.deep.equal([]);
        const expected = await memory.collection(name).find(filter, options);
        expect(expected.length, label).to.be.greaterThan(0);
        expect(await store.collection(name).find(filter, options), label).to.deep.equal(expected);
      }
      await memory.close();
    });

    it('reads contact sync and pending requests in their sort order from the index, with no sort in memory', async function () {
      const contacts = store.collection('contacts');
      await contacts.createIndex({ owner: 1, version: 1 });
      const requests = store.collection('requests');
      await requests.createIndex({ to: 1, at: 1 });
      await contacts.insertOne({ _id: '3:1', owner: 3, version: 9 });
      await requests.insertOne({ _id: '1:3', to: 3, at: 5 });
      const sync = contacts.sync.explain({ owner: 3, version: { $gt: 0 } }, { version: 1 });
      expect(sync.ordered, sync.steps.join('; ')).to.equal(true);
      const pending = requests.sync.explain({ to: 3, at: { $gte: 0 } }, { at: 1, _id: 1 });
      expect(pending.ordered, pending.steps.join('; ')).to.equal(true);
      // A descending sort, or one the index does not lead with, is left to the in-memory sort.
      expect(contacts.sync.explain({ owner: 3 }, { version: -1 }).ordered).to.equal(false);
      expect(requests.sync.explain({ to: 3 }, { _id: 1, at: 1 }).ordered).to.equal(false);
    });

    it('sorts as Mongo does when a sorted field holds values the index cannot order (booleans, documents)', async function () {
      const memory = new MemoryReadStore();
      const docs: Document[] = [
        { _id: 1, owner: 3, version: 'b' },
        { _id: 2, owner: 3, version: true },
        { _id: 3, owner: 3, version: 2 },
        { _id: 4, owner: 3, version: { n: 1 } },
        { _id: 5, owner: 3 },
        { _id: 6, owner: 3, version: 'a' },
        { _id: 7, owner: 4, version: 1 },
      ];
      for (const target of [store.collection('contacts'), memory.collection('contacts')]) {
        await target.createIndex({ owner: 1, version: 1 });
        await target.bulkWrite(docs.map((document) => ({ insertOne: { document } })));
      }
      for (const limit of [0, 2, 5]) {
        const expected = await memory.collection('contacts').find({ owner: 3 }, { sort: { version: 1 }, limit });
        expect(expected.map((doc) => doc._id)).to.have.length(limit || 6);
        expect(await store.collection('contacts').find({ owner: 3 }, { sort: { version: 1 }, limit })).to.deep.equal(expected);
      }
      await memory.close();
    });

    it('scans for the one query no index can answer: a user search by substring', async function () {
      // searchUsers: `{ handle: { $regex } }` sorted by _id, limit 50. It walks the primary key in order and stops at 50 matches.
      const users = store.collection('users');
      await users.createIndex({ handle: 1 });
      await users.insertOne({ _id: 1, handle: 'ann' });
      expect(users.sync.explain({ handle: { $regex: 'an' } }, { _id: 1 }).via).to.equal('scan');
    });
  });
});
