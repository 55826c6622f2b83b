import type { TomlValue } from './toml-frame.js';

/** The first `id = "..."` or `id = 123` of a frame, as written. */
const ID = /(?:^|[\s\]])id\s*=\s*("(?:[^"\\\r\n]|\\.)*"|-?\d{1,15}(?![\w.]))/;

/**
 * The id of a frame that could not be parsed, when it can still be made out: a malformed frame
 * is answered with `[[rr]] id = ...`, and the client matches answers on their id.
 */
export function readableId(text: string): TomlValue | undefined {
  const match = ID.exec(text)?.[1];
  if (match === undefined) return undefined;
  if (!match.startsWith('"')) return Number(match);
  try {
    return JSON.parse(match) as string;
  } catch {
    return match.slice(1, -1);
  }
}
