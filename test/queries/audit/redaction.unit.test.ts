import { expect } from 'chai';
import { HIDDEN, redactData } from '../../../src/queries/audit/redaction.js';

describe('audit redaction of read markers', () => {
  it('hides where someone read up to unless content is asked for, like a text', () => {
    const data = { roomId: 3, userId: 7, upTo: 120, receipt: true };
    expect(redactData(data, false)).to.deep.equal({ ...data, upTo: HIDDEN });
    expect(redactData(data, true)).to.deep.equal(data);
  });
});
