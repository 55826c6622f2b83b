import TOML from '@iarna/toml';

export type TomlTables = Record<string, Array<Record<string, unknown>>>;

/** Parses an im answer with a standard TOML parser, as a TOML-speaking client would. */
export function parseToml(text: string): TomlTables {
  return TOML.parse(text) as unknown as TomlTables;
}

/**
 * The TOML part of an im answer: all of it, but for `GET /offline`, whose TOML envelope is
 * followed by `\r\n` and the frames in raw DEFLATE (as the original server wrote it).
 */
export function imEnvelope(text: string): string {
  const end = text.indexOf('\r\n');
  return end < 0 ? text : text.slice(0, end);
}

export function responseOf(text: string): Record<string, unknown> {
  const [response] = parseToml(text)['response'] ?? [];
  if (!response) throw new Error(`no [[response]] in ${text}`);
  return response;
}
