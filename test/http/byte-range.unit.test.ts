import { expect } from 'chai';
import { requestedRange } from '../../src/http/byte-range.js';

describe('Range headers', () => {
  it('reads one range: first-last, first-, -suffix, clamped to the file', () => {
    expect(requestedRange('bytes=0-9', 100)).to.deep.equal({ kind: 'part', start: 0, end: 9 });
    expect(requestedRange('bytes=90-', 100)).to.deep.equal({ kind: 'part', start: 90, end: 99 });
    expect(requestedRange('bytes=-10', 100)).to.deep.equal({ kind: 'part', start: 90, end: 99 });
    expect(requestedRange('bytes=-500', 100)).to.deep.equal({ kind: 'part', start: 0, end: 99 });
    expect(requestedRange('bytes=50-5000', 100)).to.deep.equal({ kind: 'part', start: 50, end: 99 });
  });

  it('answers ranges outside the file as unsatisfiable', () => {
    for (const header of ['bytes=100-', 'bytes=100-200', 'bytes=9-3', 'bytes=-0', 'bytes=99999999999999999999999-']) {
      expect(requestedRange(header, 100), header).to.deep.equal({ kind: 'unsatisfiable' });
    }
  });

  it('serves the whole file for no header, several ranges, other units and noise', () => {
    for (const header of [undefined, 'bytes=0-1,5-6', 'items=0-1', 'bytes=-', 'bytes=a-b', 'nonsense']) {
      expect(requestedRange(header, 100), String(header)).to.deep.equal({ kind: 'whole' });
    }
  });
});
