import { expect } from 'chai';
import { mergeCursor } from '../../../src/store/ports/cursor-merge.js';
import type { DeviceCursor } from '../../../src/store/ports/delivery-state-store.js';
import { seededRandom } from '../../codecs/im/random.js';

const cursor = (ackedUpTo: number, unacked: number[]): DeviceCursor => ({ userId: 1, device: 'd', ackedUpTo, unacked });
const acked = (c: DeviceCursor, position: number): boolean => position <= c.ackedUpTo && !c.unacked.includes(position);

describe('mergeCursor', () => {
  it('takes what is given when nothing is stored', () => {
    const given = { ...cursor(5, [2]), served: 3 };
    expect(mergeCursor(undefined, given)).to.equal(given);
  });

  it('acknowledges exactly what either cursor acknowledged, on random pairs', () => {
    const random = seededRandom(17);
    for (let round = 0; round < 500; round++) {
      const make = (): DeviceCursor => {
        const upTo = random.int(40);
        return cursor(
          upTo,
          [...new Set(Array.from({ length: random.int(6) }, () => 1 + random.int(Math.max(1, upTo))))].sort((a, b) => a - b),
        );
      };
      const [a, b] = [make(), make()];
      const merged = mergeCursor(a, b);
      for (let position = 1; position <= 45; position++) {
        expect(acked(merged, position), `${JSON.stringify([a, b])} at ${position}`).to.equal(acked(a, position) || acked(b, position));
      }
      expect(merged.unacked).to.deep.equal([...merged.unacked].sort((x, y) => x - y));
    }
  });

  it("keeps the writer's legacy bookkeeping", () => {
    const merged = mergeCursor({ ...cursor(9, []), served: 4 }, { ...cursor(3, []), away: [{ after: 1, upTo: 3 }] });
    expect(merged).to.deep.include({ ackedUpTo: 9, away: [{ after: 1, upTo: 3 }] });
    expect(merged.served).to.equal(undefined);
  });
});
