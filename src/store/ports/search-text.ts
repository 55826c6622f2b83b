/**
 * How message texts are indexed and queried, the same for every search index adapter.
 * Words of alphabetic scripts are matched whole (or by prefix, `hel*`), case- and
 * diacritics-insensitively (diacritics are taken off here, case is folded by the adapters' tokenizers). Chinese, Japanese and Korean
 * text has no spaces between words, so a run of such characters is indexed as its overlapping
 * pairs ("我爱北京" as "我爱 爱北 北京 京", the last character alone so that one character is found
 * too): any substring of two or more characters is then the phrase of its pairs.
 */

/** One term of a query: every term must match. */
export type SearchTerm =
  | { kind: 'word'; text: string; prefix: boolean }
  /** A run of CJK characters: found anywhere in a run of the text. */
  | { kind: 'cjk'; text: string };

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;
/** What separates words: neither a letter, a digit nor a combining mark. */
const SEPARATOR = /[^\p{L}\p{N}\p{M}*]+/u;

export const MAX_QUERY_CHARACTERS = 256;
export const MAX_QUERY_TERMS = 16;

const NOT_CJK = /[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+/gu;

/**
 * Diacritics taken off outside CJK text, in every script (the tokenizers fold Latin ones only:
 * Russian ё would stay apart from е); CJK text keeps its marks (Japanese が is not か).
 */
function withoutDiacritics(text: string): string {
  return text.replace(NOT_CJK, (part) => part.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC'));
}

/** The text as the index stores it for matching: diacritics off, CJK runs as their overlapping pairs. */
export function searchBody(text: string): string {
  return withoutDiacritics(text.normalize('NFC')).replace(CJK, (run) => ` ${pairs([...run], true).join(' ')} `);
}

/** The pairs of a CJK run; `tail` adds the last character alone (the index), a query has none. */
export function pairs(characters: readonly string[], tail: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < characters.length; i++) out.push(characters[i]! + characters[i + 1]!);
  if (tail || characters.length === 1) out.push(characters[characters.length - 1]!);
  return out;
}

/**
 * The terms of a query as people type it: words separated by spaces or punctuation, a `*` at
 * the end of a word for a prefix, CJK runs as substrings. Empty when nothing in it can match.
 */
export function searchTerms(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  for (const word of withoutDiacritics(query.normalize('NFC')).split(SEPARATOR)) {
    let rest = word;
    for (const match of word.matchAll(CJK)) {
      terms.push({ kind: 'cjk', text: match[0] });
      rest = rest.replace(match[0], ' ');
    }
    for (const part of rest.split(' ')) {
      const prefix = part.endsWith('*');
      const text = part.replaceAll('*', '');
      if (text !== '') terms.push({ kind: 'word', text, prefix });
    }
  }
  return terms.slice(0, MAX_QUERY_TERMS);
}

/** A term's tokens as the index has them: a word itself, a CJK run's pairs (one character alone). */
export function termTokens(term: SearchTerm): string[] {
  return term.kind === 'word' ? [term.text] : pairs([...term.text], false);
}
