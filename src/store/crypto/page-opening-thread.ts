/**
 * The opening of sealed values on an adapter's page thread (page-opening.ts says why and how
 * erasure is kept): each page's sealed values are opened, or replaced by their placeholders for
 * an erased person, in the data texts themselves, so the loop parses the page as a plain one.
 * What cannot be opened here (a value that does not authenticate, keys that could not be had)
 * is left sealed: the encrypting store then opens it on the loop, and fails there as it would.
 *
 * The texts are searched, not parsed: a sealed value is found as `"<field>":{"$enc":"<base64>"}`
 * and its person as `"<subject>":<digits>`, each key met once (JSON escapes a quote inside a
 * string, so a key pattern cannot match inside a value). Parsing a whole row to find them cost
 * more than the search and half again in garbage. A row whose subject is not found so is parsed; a
 * value not found so stays sealed for the loop. Neither can open a value wrongly: each is
 * authenticated against its person and field.
 */
import type { MessagePort } from 'node:worker_threads';
import { personalFieldsOf, type PersonalFieldsOfType } from '../../events/personal-data.js';
import type { UserId } from '../../events/recorded-event.js';
import type { PageWorkMaker, PageWorker } from '../ports/page-work.js';
import type { KeyReply, KeyRequest, OpeningThreadData } from './page-opening.js';
import type { PersonKey } from './person-keys.js';
import { openValueText, type SealedValue } from './sealed-value.js';

/** Keys kept on the thread, as many as the loop's cache (person-keys.ts), least recently used out first. */
const CACHE_CAPACITY = 10_000;

/** A row with something to open. */
interface SealedRow {
  index: number;
  fields: PersonalFieldsOfType;
  subject: UserId;
}

const makeOpener: PageWorkMaker = (data) => {
  const { port, erasures } = data as OpeningThreadData;
  const asker = new KeyAsker(port);
  const cache = new Map<UserId, PersonKey>();
  let generation = Atomics.load(erasures, 0);

  const opener: PageWorker = async (page) => {
    const stamp = Atomics.load(erasures, 0);
    if (stamp !== generation) {
      // This process erased someone since these keys were given: none of them is trusted any more.
      cache.clear();
      generation = stamp;
    }
    const rows: SealedRow[] = [];
    // People erased in this page (by whichever process): asked for again, as the loop does when it reads their UserErased.
    const fresh = new Set<UserId>();
    page.data.forEach((text, index) => {
      const type = page.types[index] as string;
      if (type === 'UserErased') {
        const erased = JSON.parse(text) as unknown;
        if (typeof erased === 'object' && erased !== null && 'userId' in erased && typeof erased.userId === 'number')
          fresh.add(erased.userId);
        return;
      }
      if (!text.includes(SEALED)) return;
      const fields = personalFieldsOf(type);
      if (fields === undefined) return;
      const subject = subjectOf(text, fields);
      if (subject !== undefined) rows.push({ index, fields, subject });
    });
    if (rows.length === 0) {
      for (const subject of fresh) cache.delete(subject);
      return stamp;
    }
    // The page's keys apart from the cache: a page of more people than it holds would evict some before their turn.
    const keys = new Map<UserId, PersonKey>();
    const missing = new Set<UserId>(fresh);
    for (const { subject } of rows) {
      const key = fresh.has(subject) ? undefined : cache.get(subject);
      if (key === undefined) missing.add(subject);
      else keys.set(subject, key);
    }
    if (missing.size > 0) {
      const asked = [...missing];
      const reply = await asker.ask({ subjects: asked, fresh: [...fresh] });
      // Without keys, nothing is opened here: the loop opens the page and meets the error itself.
      if ('error' in reply) return stamp;
      asked.forEach((subject, i) => {
        const key = reply.keys[i];
        const kept: PersonKey = key === undefined || key === 'erased' ? 'erased' : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
        keys.set(subject, kept);
        cache.delete(subject);
        cache.set(subject, kept);
        if (cache.size > CACHE_CAPACITY) cache.delete(cache.keys().next().value as UserId);
      });
    }
    for (const row of rows) page.data[row.index] = opened(page.data[row.index] as string, row, keys.get(row.subject) ?? 'erased');
    return stamp;
  };
  return opener;
};

export default makeOpener;

const SEALED = '{"$enc":"';

/** The subject's number in the text (parsed when its key is not met exactly once); undefined when it has none. */
function subjectOf(text: string, fields: PersonalFieldsOfType): UserId | undefined {
  const key = `"${fields.subject}":`;
  const at = text.indexOf(key);
  if (at >= 0 && text.indexOf(key, at + key.length) < 0) {
    const from = at + key.length;
    let end = from;
    while (end < from + MAX_DIGITS && isDigit(text.charCodeAt(end))) end++;
    const next = text[end];
    if (end > from && (next === ',' || next === '}')) return Number(text.slice(from, end));
  }
  try {
    const data: unknown = JSON.parse(text);
    const subject = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[fields.subject] : undefined;
    return typeof subject === 'number' ? subject : undefined;
  } catch {
    return undefined; // left for the loop, which refuses it in its own way
  }
}

/** A safe integer's digits at most: a longer number is parsed. */
const MAX_DIGITS = 15;
const isDigit = (code: number) => code >= 48 && code <= 57;

/** The row's text with each sealed value replaced by its plaintext, or by its placeholder for an erased person. */
function opened(text: string, { fields, subject }: SealedRow, key: PersonKey): string {
  for (const field of fields.names) {
    const prefix = `"${field}":${SEALED}`;
    const at = text.indexOf(prefix);
    if (at < 0 || text.indexOf(prefix, at + prefix.length) >= 0) continue;
    const start = at + prefix.length - SEALED.length;
    const end = text.indexOf('"}', start + SEALED.length);
    if (end < 0) continue;
    const replacement =
      key === 'erased'
        ? JSON.stringify(fields.erased[field])
        : plaintextOf(key, subject, field, { $enc: text.slice(start + SEALED.length, end) });
    if (replacement !== undefined) text = text.slice(0, start) + replacement + text.slice(end + 2);
  }
  return text;
}

/** The value's JSON text; undefined when it does not open (or is not JSON), to be left for the loop. */
function plaintextOf(key: Buffer, subject: UserId, field: string, value: SealedValue): string | undefined {
  try {
    const text = openValueText(key, subject, field, value);
    JSON.parse(text);
    return text;
  } catch {
    return undefined;
  }
}

/** Asks the loop for keys, and matches its replies. */
class KeyAsker {
  private nextId = 0;
  private readonly waiting = new Map<number, (reply: KeyReply) => void>();

  constructor(private readonly port: MessagePort) {
    port.on('message', (reply: KeyReply) => {
      const done = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      done?.(reply);
    });
  }

  ask(request: Omit<KeyRequest, 'id'>): Promise<KeyReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.port.postMessage({ id, ...request } satisfies KeyRequest);
    });
  }
}
