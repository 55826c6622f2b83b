/**
 * Reads TOML frames: simple_im's one-line dialect and standard TOML documents.
 *
 * The hand-written dialect parser goes first: it is what legacy clients send on
 * every message, it is several times faster than a general TOML parser, and it
 * keeps frames in order of appearance. Only when it meets a standard feature it
 * does not know (a multi-line string, a dotted key, a date, ...) is the text given
 * to @iarna/toml. Other errors are final: a malformed one-line frame costs one
 * pass, and its reason speaks of the dialect the client wrote.
 */

import { parseDialect } from './dialect-parser.js';
import { parseStandard } from './standard-parser.js';
import { TomlSyntaxError, type TomlFrame } from './toml-frame.js';

export { TomlSyntaxError, type TomlFrame, type TomlTable, type TomlValue } from './toml-frame.js';

/**
 * The frames of `text`, in order of appearance. Throws TomlSyntaxError (and
 * nothing else) with a short reason for the client when the text is not valid.
 */
export function readFrames(text: string): TomlFrame[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return parseDialect(body);
  } catch (error) {
    if (error instanceof TomlSyntaxError && error.unsupported) return parseStandard(body);
    throw error;
  }
}
