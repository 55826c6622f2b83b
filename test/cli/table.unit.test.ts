import { expect } from 'chai';
import { tableParts } from '../../src/cli/table.js';
import { painter } from '../../src/cli/terminal-style.js';

describe('CLI tables', () => {
  it('draw a table too long for one call in parts that read as one aligned box', () => {
    // The widest cells come last, in the third part: the first part must be drawn that wide too.
    const rows = Array.from({ length: 2500 }, (_, i) => [i, i < 2400 ? 'short' : `a much longer cell ${'x'.repeat(i % 7)}`]);
    const parts = [...tableParts(['n', 'text'], rows, painter(false))];
    expect(parts).to.have.length(3);
    const lines = parts.join('\n').split('\n');
    expect(new Set(lines.map((line) => line.length)).size).to.equal(1);
    expect(lines.filter((line) => line.startsWith('┌'))).to.have.length(1);
    expect(lines.filter((line) => line.startsWith('└'))).to.have.length(1);
    expect(lines.filter((line) => /^│ n\s+│ text/.test(line))).to.have.length(1);
    expect(lines.filter((line) => /^│ \d+/.test(line)).map((line) => Number(/^│ (\d+)/.exec(line)![1]))).to.deep.equal(
      rows.map(([n]) => n),
    );
  });
});
