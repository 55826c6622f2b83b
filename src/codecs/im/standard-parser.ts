/**
 * Reads standard TOML documents with @iarna/toml, for the features the fast
 * dialect parser does not know (multi-line strings, dotted keys, dates, hex
 * numbers, ...).
 *
 * @iarna/toml returns `{ m: [...], n: [...] }`, which loses the interleaving of
 * `[[m]]` and `[[n]]` frames. So the document is first cut at its top-level
 * headers (FrameScanner) and each piece, holding one frame, is parsed on its own:
 * frames come out in order of appearance.
 */

import TOML from '@iarna/toml';
import { show } from './dialect-parser.js';
import { FrameScanner, ScanStop } from './frame-scanner.js';
import { MAX_NESTING, TomlSyntaxError, newTable, type TomlFrame, type TomlValue } from './toml-frame.js';

/** Parses `text` (BOM already removed); throws TomlSyntaxError. */
export function parseStandard(text: string): TomlFrame[] {
  const frames: TomlFrame[] = [];
  for (const piece of cutAtHeaders(text)) {
    const frame = pieceToFrame(piece);
    if (frame !== undefined) frames.push(frame);
  }
  return frames;
}

function cutAtHeaders(text: string): string[] {
  const scanner = new FrameScanner();
  const pieces: string[] = [];
  while (scanner.scan(text, 0, Infinity) === ScanStop.FrameEnd) {
    pieces.push(text.slice(scanner.cutStart, scanner.cutEnd));
  }
  // @iarna/toml needs time and memory in proportion to nesting: refuse early.
  if (scanner.deepestNesting > MAX_NESTING) throw new TomlSyntaxError('nesting too deep');
  pieces.push(text.slice(scanner.segmentStart));
  return pieces;
}

/** A piece is `[[name]]` and its content, or text before the first header (which must hold no keys). */
function pieceToFrame(piece: string): TomlFrame | undefined {
  const document = parseToml(piece);
  const names = Object.keys(document);
  const type = names[0];
  if (type === undefined) return undefined;
  const list = document[type];
  const isFrame = names.length === 1 && Array.isArray(list) && list.length === 1 && piece.trimStart().startsWith('[[');
  if (!isFrame) {
    const name = names[names.length - 1] as string;
    throw new TomlSyntaxError(`${show(name)} is outside a [[table]]`);
  }
  const fields = convert(list[0], 0, type);
  if (typeof fields !== 'object' || Array.isArray(fields)) throw new TomlSyntaxError(`${show(type)} is not a table`);
  return { type, fields };
}

function parseToml(piece: string): Record<string, unknown> {
  try {
    return TOML.parse(piece);
  } catch (error) {
    // Keep the first line: the rest quotes the client's text back with a caret.
    const message = error instanceof Error ? error.message : String(error);
    throw new TomlSyntaxError(message.split('\n', 1)[0]?.replace(/:$/, '') || 'invalid TOML');
  }
}

/** @iarna/toml values to frame values: prototype-free tables, no bigint, no Date. `key` names it in errors. */
function convert(value: unknown, depth: number, key: string): TomlValue {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      // @iarna/toml wraps large integers to 64 bits; we refuse them, as the dialect parser does.
      throw new TomlSyntaxError(`integer out of range for key ${show(key)}`);
    default:
      break;
  }
  if (depth > MAX_NESTING) throw new TomlSyntaxError('nesting too deep');
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TomlSyntaxError('invalid date');
    return value.toISOString();
  }
  if (Array.isArray(value)) return value.map((item: unknown) => convert(item, depth + 1, key));
  if (typeof value === 'object' && value !== null) {
    const table = newTable();
    for (const [name, item] of Object.entries(value)) table[name] = convert(item, depth + 1, name);
    return table;
  }
  throw new TomlSyntaxError('unsupported value');
}
