/**
 * The fast, tolerant reader for simple_im's TOML dialect.
 *
 * It reads the one-line form legacy clients send (`[[m]] id = "a" to = 2`, pairs
 * separated by any whitespace, several frames per line, `[r.user]` sub-tables
 * inline) and the common subset of standard TOML (one pair per line, comments,
 * arrays, inline tables), in one linear pass over the text. Features it does not
 * know (multi-line strings, dotted keys, dates, hex numbers) make it throw an
 * error marked `unsupported`, and the caller retries with the standard parser.
 *
 * Tolerances beyond TOML, for legacy clients: no newline needed between pairs or
 * after headers, raw newlines inside strings (the original sent message text
 * unescaped), leading zeros in numbers.
 */

import { MAX_NESTING, TomlSyntaxError, newTable, type TomlFrame, type TomlTable, type TomlValue } from './toml-frame.js';
import {
  TAB,
  LF,
  CR,
  SPACE,
  QUOTE,
  HASH,
  APOSTROPHE,
  COMMA,
  DOT,
  COLON,
  EQUALS,
  LBRACKET,
  BACKSLASH,
  RBRACKET,
  LBRACE,
  RBRACE,
} from './char-codes.js';

/** 1 for the characters of a bare key: A-Z a-z 0-9 _ - */
const BARE_KEY = new Uint8Array(128);
/** 1 for the characters of a number or boolean token: bare-key characters plus + and . */
const TOKEN = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  BARE_KEY[c] = alnum || c === 0x5f || c === 0x2d ? 1 : 0;
  TOKEN[c] = BARE_KEY[c] === 1 || c === 0x2b || c === DOT ? 1 : 0;
}

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

/** Parses `text` (BOM already removed); throws TomlSyntaxError. */
export function parseDialect(text: string): TomlFrame[] {
  return new DialectParser(text).parse();
}

/** Quotes a piece of client text for an error reason, short enough for one line. */
export function show(text: string): string {
  return JSON.stringify(text.length > 32 ? `${text.slice(0, 32)}…` : text);
}

class DialectParser {
  private pos = 0;
  private readonly frames: TomlFrame[] = [];
  private current: TomlFrame | undefined;
  /** The table the next `key = value` goes to, and its nesting below `fields`. */
  private target: TomlTable | undefined;
  private targetDepth = 0;
  /** Tables created as the middle of a header path: a later header may still declare them, once. */
  private readonly implicit = new Set<TomlTable>();

  constructor(private readonly text: string) {}

  parse(): TomlFrame[] {
    for (this.skipTrivia(); this.pos < this.text.length; this.skipTrivia()) {
      if (this.text.charCodeAt(this.pos) === LBRACKET) this.header();
      else this.pair();
    }
    return this.frames;
  }

  /** Whitespace, newlines and comments. */
  private skipTrivia(): void {
    const text = this.text;
    let i = this.pos;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === SPACE || c === TAB || c === LF || c === CR) i++;
      else if (c === HASH) {
        const end = text.indexOf('\n', i);
        i = end === -1 ? text.length : end + 1;
      } else break;
    }
    this.pos = i;
  }

  private skipSpaces(): void {
    let c = this.text.charCodeAt(this.pos);
    while (c === SPACE || c === TAB) c = this.text.charCodeAt(++this.pos);
  }

  private header(): void {
    const isArray = this.text.charCodeAt(this.pos + 1) === LBRACKET;
    this.pos += isArray ? 2 : 1;
    const path = this.headerPath();
    for (let n = isArray ? 2 : 1; n > 0; n--) {
      if (this.text.charCodeAt(this.pos) !== RBRACKET) {
        throw new TomlSyntaxError(`expected ']' after table name ${show(path.join('.'))}`);
      }
      this.pos++;
    }
    if (isArray && path.length === 1) this.startFrame(path[0] as string);
    else this.openSubTable(path, isArray);
  }

  private headerPath(): string[] {
    const path: string[] = [];
    for (;;) {
      this.skipSpaces();
      path.push(this.key());
      if (path.length > MAX_NESTING) throw new TomlSyntaxError('nesting too deep');
      this.skipSpaces();
      if (this.text.charCodeAt(this.pos) !== DOT) return path;
      this.pos++;
    }
  }

  private startFrame(type: string): void {
    const fields = newTable();
    this.current = { type, fields };
    this.frames.push(this.current);
    this.target = fields;
    this.targetDepth = 0;
  }

  /** `[r.user]` or `[[r.items]]`: always inside the frame just opened, as in the one-line form. */
  private openSubTable(path: string[], isArray: boolean): void {
    const name = path.join('.');
    if (path.length === 1) throw new TomlSyntaxError(`table ${show(name)} must be written with double brackets`);
    const frame = this.current;
    if (frame === undefined || frame.type !== path[0]) {
      throw new TomlSyntaxError(`table ${show(name)} must follow its [[table]]`);
    }
    let table = frame.fields;
    for (let i = 1; i < path.length - 1; i++) table = this.descend(table, path[i] as string, name);
    const last = path[path.length - 1] as string;
    this.target = isArray ? appendTable(table, last, name) : this.declareTable(table, last, name);
    this.targetDepth = path.length - 1;
  }

  private descend(table: TomlTable, key: string, name: string): TomlTable {
    const value = table[key];
    if (value === undefined) {
      const created = newTable();
      table[key] = created;
      this.implicit.add(created);
      return created;
    }
    // Inside an array of tables, a path continues in its last element (TOML semantics).
    const inner = Array.isArray(value) ? value[value.length - 1] : value;
    if (isTable(inner)) return inner;
    throw new TomlSyntaxError(`table ${show(name)} redefines key ${show(key)}`);
  }

  private declareTable(table: TomlTable, key: string, name: string): TomlTable {
    const value = table[key];
    if (value === undefined) {
      const created = newTable();
      table[key] = created;
      return created;
    }
    if (isTable(value) && this.implicit.delete(value)) return value;
    throw new TomlSyntaxError(`duplicate table ${show(name)}`);
  }

  private pair(): void {
    const key = this.key();
    if (this.target === undefined) throw new TomlSyntaxError(`key ${show(key)} before the first [[table]]`);
    this.assign(this.target, key, this.targetDepth);
  }

  /** Reads `= value` after `key` and stores it in `table`. */
  private assign(table: TomlTable, key: string, depth: number): void {
    this.skipTrivia();
    const c = this.text.charCodeAt(this.pos);
    if (c !== EQUALS) {
      if (c === DOT) throw new TomlSyntaxError(`dotted key ${show(key)} is not supported`, true);
      throw new TomlSyntaxError(`expected '=' after key ${show(key)}`);
    }
    this.pos++;
    if (key in table) throw new TomlSyntaxError(`duplicate key ${show(key)}`);
    this.skipTrivia();
    table[key] = this.value(key, depth);
  }

  private key(): string {
    const c = this.text.charCodeAt(this.pos);
    if (c === QUOTE) return this.basicString();
    if (c === APOSTROPHE) return this.literalString();
    const start = this.pos;
    let i = start;
    while (BARE_KEY[this.text.charCodeAt(i)] === 1) i++;
    if (i === start) throw this.unexpected('a key');
    this.pos = i;
    return this.text.slice(start, i);
  }

  private unexpected(wanted: string): TomlSyntaxError {
    if (this.pos >= this.text.length) return new TomlSyntaxError(`unexpected end of input, expected ${wanted}`);
    return new TomlSyntaxError(`unexpected ${show(this.text.charAt(this.pos))}, expected ${wanted}`);
  }

  private value(key: string, depth: number): TomlValue {
    switch (this.text.charCodeAt(this.pos)) {
      case QUOTE:
        return this.basicString();
      case APOSTROPHE:
        return this.literalString();
      case LBRACKET:
        return this.array(key, depth + 1);
      case LBRACE:
        return this.inlineTable(key, depth + 1);
      default:
        return this.scalar(key);
    }
  }

  private array(key: string, depth: number): TomlValue[] {
    if (depth > MAX_NESTING) throw new TomlSyntaxError('nesting too deep');
    this.pos++;
    const items: TomlValue[] = [];
    for (;;) {
      this.skipTrivia();
      if (this.text.charCodeAt(this.pos) === RBRACKET) break;
      if (this.pos >= this.text.length) throw new TomlSyntaxError(`unterminated array for key ${show(key)}`);
      items.push(this.value(key, depth));
      this.skipTrivia();
      const c = this.text.charCodeAt(this.pos);
      if (c === COMMA) this.pos++;
      else if (c === RBRACKET) break;
      else if (this.pos >= this.text.length) throw new TomlSyntaxError(`unterminated array for key ${show(key)}`);
      else throw this.unexpected(`',' or ']' in the array for key ${show(key)}`);
    }
    this.pos++;
    return items;
  }

  private inlineTable(key: string, depth: number): TomlTable {
    if (depth > MAX_NESTING) throw new TomlSyntaxError('nesting too deep');
    this.pos++;
    const table = newTable();
    for (;;) {
      this.skipTrivia();
      if (this.text.charCodeAt(this.pos) === RBRACE) break;
      if (this.pos >= this.text.length) throw new TomlSyntaxError(`unterminated inline table for key ${show(key)}`);
      this.assign(table, this.key(), depth);
      this.skipTrivia();
      const c = this.text.charCodeAt(this.pos);
      if (c === COMMA) this.pos++;
      else if (c === RBRACE) break;
      else if (this.pos >= this.text.length) throw new TomlSyntaxError(`unterminated inline table for key ${show(key)}`);
      else throw this.unexpected(`',' or '}' in the inline table for key ${show(key)}`);
    }
    this.pos++;
    return table;
  }

  /** A number, boolean, inf or nan. */
  private scalar(key: string): TomlValue {
    const start = this.pos;
    let i = start;
    while (TOKEN[this.text.charCodeAt(i)] === 1) i++;
    if (i === start) throw this.unexpected(`a value for key ${show(key)}`);
    this.pos = i;
    const token = this.text.slice(start, i);
    // `07:32:00`: a time, left to the standard parser.
    if (this.text.charCodeAt(i) === COLON) throw invalidValue(token, key, true);
    return scalarValue(token, key);
  }

  private basicString(): string {
    const text = this.text;
    let i = this.pos + 1;
    if (text.charCodeAt(i) === QUOTE && text.charCodeAt(i + 1) === QUOTE) {
      throw new TomlSyntaxError('multi-line strings are not supported', true);
    }
    let out = '';
    let from = i;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        out += text.slice(from, i) + this.escape(i);
        i = this.pos;
        from = i;
      } else if (i >= text.length) {
        throw new TomlSyntaxError('unterminated string');
      } else {
        i++;
      }
    }
    this.pos = i + 1;
    return out + text.slice(from, i);
  }

  /** Decodes the escape sequence at `at` (a backslash) and leaves `pos` after it. */
  private escape(at: number): string {
    const letter = this.text.charAt(at + 1);
    const simple = SIMPLE_ESCAPES[letter];
    if (simple !== undefined) {
      this.pos = at + 2;
      return simple;
    }
    if (letter === 'u' || letter === 'U') return this.unicodeEscape(at, letter === 'u' ? 4 : 8);
    if (letter === '') throw new TomlSyntaxError('unterminated string');
    throw new TomlSyntaxError(`invalid escape ${show(`\\${letter}`)} in a string`);
  }

  private unicodeEscape(at: number, digits: number): string {
    let code = 0;
    for (let i = at + 2; i < at + 2 + digits; i++) {
      const digit = hexDigit(this.text.charCodeAt(i));
      if (digit < 0) throw new TomlSyntaxError('invalid unicode escape in a string');
      code = code * 16 + digit;
    }
    // Surrogates are not characters; TOML (and UTF-8 on the wire) cannot carry them alone.
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new TomlSyntaxError('invalid unicode escape in a string');
    }
    this.pos = at + 2 + digits;
    return String.fromCodePoint(code);
  }

  private literalString(): string {
    const start = this.pos + 1;
    if (this.text.startsWith("''", start)) throw new TomlSyntaxError('multi-line strings are not supported', true);
    const end = this.text.indexOf("'", start);
    if (end === -1) throw new TomlSyntaxError('unterminated string');
    this.pos = end + 1;
    return this.text.slice(start, end);
  }
}

function isTable(value: TomlValue | undefined): value is TomlTable {
  return typeof value === 'object' && !Array.isArray(value);
}

/** `[[r.items]]`: a new table at the end of the array `items`. */
function appendTable(table: TomlTable, key: string, name: string): TomlTable {
  const list = table[key] ?? [];
  if (!Array.isArray(list)) throw new TomlSyntaxError(`table ${show(name)} redefines key ${show(key)}`);
  const created = newTable();
  list.push(created);
  table[key] = list;
  return created;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** Index after a run of digits with single underscores between them, or -1 when there is no digit at `i`. */
function digitRun(token: string, i: number): number {
  if (!isDigit(token.charCodeAt(i))) return -1;
  let j = i + 1;
  for (;;) {
    const c = token.charCodeAt(j);
    if (isDigit(c)) j++;
    else if (c === 0x5f && isDigit(token.charCodeAt(j + 1))) j += 2;
    else return j;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Dates (`1979-05-27...`) and 0x / 0o / 0b integers: TOML that only the standard parser reads. */
const STANDARD_ONLY_VALUE = /^(?:\d{4}-|[+-]?0[xob])/;

function invalidValue(token: string, key: string, standardOnly: boolean): TomlSyntaxError {
  return new TomlSyntaxError(`invalid value ${show(token)} for key ${show(key)}`, standardOnly);
}

function scalarValue(token: string, key: string): TomlValue {
  if (token === 'true') return true;
  if (token === 'false') return false;
  const sign = token.charCodeAt(0) === 0x2b || token.charCodeAt(0) === 0x2d ? 1 : 0;
  const unsigned = sign === 1 ? token.slice(1) : token;
  if (unsigned === 'inf') return token.charCodeAt(0) === 0x2d ? -Infinity : Infinity;
  if (unsigned === 'nan') return NaN;
  let end = digitRun(token, sign);
  let isFloat = false;
  if (end !== -1 && token.charCodeAt(end) === DOT) {
    end = digitRun(token, end + 1);
    isFloat = true;
  }
  if (end !== -1 && (token.charCodeAt(end) | 0x20) === 0x65) {
    const exponent = token.charCodeAt(end + 1) === 0x2b || token.charCodeAt(end + 1) === 0x2d ? end + 2 : end + 1;
    end = digitRun(token, exponent);
    isFloat = true;
  }
  if (end !== token.length) throw invalidValue(token, key, STANDARD_ONLY_VALUE.test(token));
  const value = Number(token.includes('_') ? token.replaceAll('_', '') : token);
  if (isFloat) return value;
  // Rounding a large id to a neighbouring one would silently address someone else.
  if (!Number.isSafeInteger(value)) throw new TomlSyntaxError(`integer out of range for key ${show(key)}`);
  return value === 0 ? 0 : value;
}
