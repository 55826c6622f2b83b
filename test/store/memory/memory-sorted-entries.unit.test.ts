import { expect } from 'chai';
import { compareValues } from '../../../src/store/memory/memory-order.js';
import { SortedEntries } from '../../../src/store/memory/memory-sorted-entries.js';
import type { DocId } from '../../../src/store/ports/read-store.js';
import { seededRandom } from '../../codecs/im/random.js';

interface Entry {
  value: number;
  id: DocId;
}

/** Every entry's id, in iteration order (forwards, or backwards). */
function ids(entries: SortedEntries, descending = false): DocId[] {
  return [
    ...entries.ids(
      { chunk: 0, index: 0 },
      entries.locate(() => false),
      descending,
    ),
  ];
}

describe('SortedEntries', function () {
  it('keeps growing keys in order across chunks, and finds them', function () {
    const entries = new SortedEntries();
    for (let id = 1; id <= 2000; id++) entries.insert(id, id);
    expect(ids(entries)).to.deep.equal(Array.from({ length: 2000 }, (_, i) => i + 1));
    const at = entries.locate((value) => (value as number) >= 1500);
    expect(
      entries.distance(
        at,
        entries.locate(() => false),
      ),
    ).to.equal(501);
    expect([
      ...entries.ids(
        at,
        entries.locate((value) => (value as number) > 1502),
        true,
      ),
    ]).to.deep.equal([1502, 1501, 1500]);
  });

  it('stays sorted when appends, inserts in the middle and removals mix', function () {
    const random = seededRandom(99);
    const entries = new SortedEntries();
    const expected: Entry[] = [];
    for (let i = 0; i < 6000; i++) {
      // Mostly growing values, as positions are, with some out of order and some removals.
      const choice = random.int(10);
      if (choice === 0 && expected.length > 0) {
        const [removed] = expected.splice(random.int(expected.length), 1) as [Entry];
        expect(entries.remove(removed.value, removed.id)).to.equal(true);
      } else {
        const entry = { value: choice === 1 ? random.int(i + 1) : i, id: i };
        entries.insert(entry.value, entry.id);
        expected.push(entry);
      }
    }
    expected.sort((a, b) => compareValues(a.value, b.value) || compareValues(a.id, b.id));
    expect(ids(entries)).to.deep.equal(expected.map((entry) => entry.id));
    expect(ids(entries, true)).to.deep.equal(expected.map((entry) => entry.id).reverse());
    expect(entries.size).to.equal(expected.length);
    expect(entries.remove(-1, -1)).to.equal(false);
  });

  it('tells appends from inserts after the last entries were removed', function () {
    const entries = new SortedEntries();
    for (let id = 0; id < 1500; id++) entries.insert(id, id);
    // Down across chunk boundaries, then values that would have been below the old last entry.
    for (let id = 1499; id >= 700; id--) expect(entries.remove(id, id)).to.equal(true);
    const added: Array<[number, number]> = [];
    for (let value = 1001; value > 690; value -= 2) added.push([value, 10_000 + value]);
    for (const [value, id] of added) entries.insert(value, id);
    const expected: Array<[number, number]> = [...Array.from({ length: 700 }, (_, i): [number, number] => [i, i]), ...added];
    expected.sort(([a, x], [b, y]) => a - b || x - y);
    expect(ids(entries)).to.deep.equal(expected.map(([, id]) => id));
    for (const [value, id] of expected) expect(entries.remove(value, id)).to.equal(true);
    expect(entries.size).to.equal(0);
    entries.insert(5, 'a');
    entries.insert(3, 'b');
    expect(ids(entries)).to.deep.equal(['b', 'a']);
  });
});
