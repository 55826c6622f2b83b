import { expect } from 'chai';
import { colourWanted, painter } from '../../src/cli/terminal-style.js';

describe('terminal style', () => {
  it('colours only a terminal, and never with NO_COLOR set', () => {
    expect(colourWanted({ isTTY: true }, {})).to.equal(true);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: '1' })).to.equal(false);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: '' }), 'an empty NO_COLOR is unset').to.equal(true);
    expect(colourWanted({ isTTY: false }, {})).to.equal(false);
    expect(colourWanted({}, {})).to.equal(false);
  });

  it('paints with ANSI styles when on, and leaves text alone when off', () => {
    expect(painter(true)('red', 'alert')).to.equal('\u001b[31malert\u001b[39m');
    expect(painter(false)('red', 'alert')).to.equal('alert');
  });
});
