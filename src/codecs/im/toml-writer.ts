/**
 * Writes TOML frames, by hand: this runs for every delivered message.
 *
 * Every string is escaped (the original server did not, so a `"` in a message
 * broke the receiver's frame), and a string never spans lines, so the one-line
 * form stays one line. Both forms read back with readFrames, and the document
 * form with any standard TOML parser.
 */

import type { TomlFrame, TomlTable, TomlValue } from './toml-frame.js';

/** TOML escapes for the characters that may not appear raw in a basic string. */
const ESCAPES: (string | undefined)[] = [];
for (let c = 0; c < 0x20; c++) ESCAPES[c] = `\\u${c.toString(16).padStart(4, '0')}`;
ESCAPES[0x08] = '\\b';
ESCAPES[0x09] = '\\t';
ESCAPES[0x0a] = '\\n';
ESCAPES[0x0c] = '\\f';
ESCAPES[0x0d] = '\\r';
ESCAPES[0x22] = '\\"';
ESCAPES[0x5c] = '\\\\';
ESCAPES[0x7f] = '\\u007f';

/** `[[m]] id = "a_02" c = "hello" to = 2 [m.user] id = 1`, without a trailing newline. */
export function writeFrameLine(frame: TomlFrame): string {
  const name = writeKey(frame.type);
  return writeTable(`[[${name}]]`, name, frame.fields, ' ');
}

/**
 * A standard multi-line document: one `[[type]]` table per frame, in the given
 * order, each key on its own line, sub-tables (`[response.user]`) after their
 * parent's keys. Ends with a newline.
 */
export function writeDocument(frames: readonly TomlFrame[]): string {
  let out = '';
  for (const frame of frames) {
    const name = writeKey(frame.type);
    out = `${writeTable(`${out}[[${name}]]`, name, frame.fields, '\n')}\n`;
  }
  return out;
}

/**
 * Appends the pairs of `table` to `out`, then its sub-tables under `[path.key]`
 * headers: keys written after a header belong to that header's table.
 * An `undefined` value (an absent optional property spread into `fields`) is
 * left out, as JSON.stringify does.
 */
function writeTable(out: string, path: string, table: TomlTable, separator: string): string {
  let nested = false;
  for (const key in table) {
    const value = table[key];
    if (value === undefined) continue;
    if (isTable(value)) nested = true;
    else out += `${separator}${writeKey(key)} = ${writeValue(value)}`;
  }
  // Most tables (every row of a contact list) have no sub-table: no second pass for them.
  if (!nested) return out;
  for (const key in table) {
    const value = table[key];
    if (value !== undefined && isTable(value)) {
      const child = `${path}.${writeKey(key)}`;
      out = writeTable(`${out}${separator}[${child}]`, child, value, separator);
    }
  }
  return out;
}

function isTable(value: TomlValue): value is TomlTable {
  return typeof value === 'object' && !Array.isArray(value);
}

function writeValue(value: TomlValue): string {
  switch (typeof value) {
    case 'string':
      return writeString(value);
    case 'number':
      return writeNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return Array.isArray(value) ? writeArray(value) : writeInlineTable(value);
  }
}

function writeArray(items: TomlValue[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) out += (i === 0 ? '' : ', ') + writeValue(items[i] as TomlValue);
  return `${out}]`;
}

/** Tables inside arrays can only be written inline. */
function writeInlineTable(table: TomlTable): string {
  let out = '';
  for (const key in table) {
    const value = table[key];
    if (value !== undefined) out += `${out === '' ? '{ ' : ', '}${writeKey(key)} = ${writeValue(value)}`;
  }
  return out === '' ? '{}' : `${out} }`;
}

function writeNumber(value: number): string {
  if (Number.isSafeInteger(value)) return String(value);
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  const text = String(value);
  // A float with an integral value beyond 2^53 must not read back as an (out of range) integer.
  return Number.isInteger(value) && !text.includes('e') ? `${text}.0` : text;
}

/** Bare when it can be (`id`), quoted otherwise (`"a b"`, `""`). */
function writeKey(key: string): string {
  if (key === '') return '""';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const bare = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d;
    if (!bare) return writeString(key);
  }
  return key;
}

function writeString(value: string): string {
  // Most strings need no escape: one scan, one concatenation.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x7f) return escapeFrom(value, i);
  }
  return `"${value}"`;
}

function escapeFrom(value: string, first: number): string {
  let out = `"${value.slice(0, first)}`;
  let from = first;
  for (let i = first; i < value.length; i++) {
    const escape = ESCAPES[value.charCodeAt(i)];
    if (escape !== undefined) {
      out += value.slice(from, i) + escape;
      from = i + 1;
    }
  }
  return `${out}${value.slice(from)}"`;
}
