import type { Position, UserId } from '../events/recorded-event.js';
import type { ReadModels } from '../projections/read-models.js';
import type { IndexedMessage, SearchIndex } from '../store/ports/search-index.js';
import { searchTerms, type SearchTerm } from '../store/ports/search-text.js';
import { roomsOf } from './rooms.js';

export const SEARCH_PAGE = 20;
export const MAX_SEARCH_PAGE = 100;
/** Longest snippet, in UTF-16 units, and how much of it comes before the first match. */
const SNIPPET = 200;
const LEAD = 60;

/** `[start, end)` of a match in a snippet, in UTF-16 code units (JavaScript string indices). */
export type Highlight = [number, number];

export interface SearchResult {
  message: IndexedMessage;
  /** The text, or an excerpt around its first match with `…` where it was cut. */
  snippet: string;
  highlights: Highlight[];
}

/** What a search reads: the index, once it applied what the read models show. */
export interface MessageSearch {
  index: SearchIndex;
  /** Resolves once every message event this process has seen is in the index. */
  settled(): Promise<void>;
}

/**
 * The messages matching `query` in the rooms `userId` is a member of now (a room left is not
 * searched, whatever it held while a member), newest first, older than `before`. Null when the
 * query has nothing to match.
 */
export async function searchMessages(
  read: ReadModels,
  search: MessageSearch,
  userId: UserId,
  query: { q: string; before: Position | null; limit: number },
): Promise<SearchResult[] | null> {
  const terms = searchTerms(query.q);
  if (terms.length === 0) return null;
  const [rooms] = await Promise.all([roomsOf(read, userId), search.settled()]);
  const hits = await search.index.search({ terms, rooms: rooms.map((room) => room._id), before: query.before, limit: query.limit });
  return hits.map((message) => ({ message, ...snippetOf(message.text, terms) }));
}

/** The excerpt of `text` to show and where the terms are in it: found as the index folds them, case and diacritics aside. */
export function snippetOf(text: string, terms: readonly SearchTerm[]): { snippet: string; highlights: Highlight[] } {
  const matches = findTerms(text, terms);
  if (text.length <= SNIPPET) return { snippet: text, highlights: matches };
  let start = Math.max(0, (matches[0]?.[0] ?? 0) - LEAD);
  let end = Math.min(text.length, start + SNIPPET);
  // Never half a surrogate pair.
  if (isLowSurrogate(text.charCodeAt(start))) start -= 1;
  if (isLowSurrogate(text.charCodeAt(end))) end -= 1;
  const head = start > 0 ? '…' : '';
  const snippet = `${head}${text.slice(start, end)}${end < text.length ? '…' : ''}`;
  const shift = head.length - start;
  const highlights = matches.filter(([from, to]) => from >= start && to <= end).map(([from, to]): Highlight => [from + shift, to + shift]);
  return { snippet, highlights };
}

const isLowSurrogate = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;
const WORD = /[\p{L}\p{N}]/u;

/** Every match of every term in `text`, in order, overlapping ones merged. */
function findTerms(text: string, terms: readonly SearchTerm[]): Highlight[] {
  const { folded, origin } = fold(text);
  const found: Highlight[] = [];
  for (const term of terms) {
    const needle = fold(term.text).folded;
    if (needle === '') continue;
    for (let at = folded.indexOf(needle); at >= 0; at = folded.indexOf(needle, at + 1)) {
      let end = at + needle.length;
      if (term.kind === 'word') {
        if (at > 0 && WORD.test(folded[at - 1]!)) continue;
        if (!term.prefix && end < folded.length && WORD.test(folded[end]!)) continue;
        // A prefix marks the whole word it begins.
        while (term.prefix && end < folded.length && WORD.test(folded[end]!)) end++;
      }
      found.push([origin[at]!, origin[end]!]);
    }
  }
  found.sort((a, b) => a[0] - b[0]);
  const merged: Highlight[] = [];
  for (const range of found) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/** `text` without diacritics, in lower case, and for each of its units the index in `text` it came from. */
function fold(text: string): { folded: string; origin: number[] } {
  let folded = '';
  const origin: number[] = [];
  let index = 0;
  for (const character of text) {
    const plain = character.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    for (let i = 0; i < plain.length; i++) origin.push(index);
    folded += plain;
    index += character.length;
  }
  origin.push(index);
  return { folded, origin };
}
