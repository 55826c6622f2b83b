import { expect } from 'chai';
import { snippetOf } from '../../src/queries/search.js';
import { searchTerms } from '../../src/store/ports/search-text.js';

const marked = (text: string, q: string): string => {
  const { snippet, highlights } = snippetOf(text, searchTerms(q));
  let out = snippet;
  for (const [from, to] of [...highlights].reverse()) out = `${out.slice(0, from)}[${out.slice(from, to)}]${out.slice(to)}`;
  return out;
};

describe('snippetOf', () => {
  it('marks whole words whatever their case and diacritics, prefixes, and CJK substrings', () => {
    expect(marked('Un CAFÉ, deux cafés et un café-crème', 'cafe')).to.equal('Un [CAFÉ], deux cafés et un [café]-crème');
    expect(marked('Un CAFÉ, deux cafés', 'caf*')).to.equal('Un [CAFÉ], deux [cafés]');
    expect(marked('Всё хорошо, ВСЁ', 'все')).to.equal('[Всё] хорошо, [ВСЁ]');
    expect(marked('我爱北京天安门', '北京 门')).to.equal('我爱[北京]天安[门]');
    expect(marked('emoji 🙂 then word', 'word')).to.equal('emoji 🙂 then [word]');
  });

  it('cuts a long text around its first match, never inside a surrogate pair, with offsets into the snippet', () => {
    const text = `${'🙂'.repeat(100)} needle ${'x'.repeat(300)}`;
    const { snippet, highlights } = snippetOf(text, searchTerms('needle'));
    expect(snippet.startsWith('…🙂')).to.equal(true);
    expect(snippet.endsWith('…')).to.equal(true);
    expect(highlights).to.have.length(1);
    expect(snippet.slice(...highlights[0]!)).to.equal('needle');
    expect(snippet.length).to.be.at.most(203);
    expect(() => encodeURIComponent(snippet), 'a lone surrogate').not.to.throw();
  });
});
