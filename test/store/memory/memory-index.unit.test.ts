import { expect } from 'chai';
import { MemoryReadStore } from '../../../src/store/memory/memory-read-store.js';

describe('MemoryIndex', function () {
  it('groups a numeric prefix apart from the string that spells it, and from null', async function () {
    const messages = new MemoryReadStore().collection('messages');
    await messages.createIndex({ room: 1, seq: 1 });
    const rooms: unknown[] = [1, '1', null, undefined, true, 1, 1.5, 'n1'];
    await messages.bulkWrite(
      rooms.map((room, seq) => ({ insertOne: { document: room === undefined ? { _id: seq, seq } : { _id: seq, room, seq } } })),
    );
    const expectations: Array<[unknown, number[]]> = [
      [1, [0, 5]],
      ['1', [1]],
      [null, [2, 3]],
      [true, [4]],
      [1.5, [6]],
      ['n1', [7]],
    ];
    for (const [room, ids] of expectations) {
      const found = await messages.find({ room }, { sort: { seq: 1 } });
      expect(
        found.map((doc) => doc._id),
        String(room),
      ).to.deep.equal(ids);
      // Only the group's own entries were candidates: the index answered, not a scan.
      expect(messages.stats().lastScanned, String(room)).to.equal(ids.length);
    }
  });

  it('moves a document between groups when its prefix changes type', async function () {
    const messages = new MemoryReadStore().collection('messages');
    await messages.createIndex({ room: 1, seq: 1 });
    await messages.insertOne({ _id: 1, room: 7, seq: 1 });
    await messages.updateOne({ _id: 1 }, { $set: { room: '7' } });
    expect(await messages.countDocuments({ room: 7 })).to.equal(0);
    expect(await messages.find({ room: '7' })).to.deep.equal([{ _id: 1, room: '7', seq: 1 }]);
  });
});
