import TOML from '@iarna/toml';

export type TomlTables = Record<string, Array<Record<string, unknown>>>;

/** Parses an im answer with a standard TOML parser, as a TOML-speaking client would. */
export function parseToml(text: string): TomlTables {
  return TOML.parse(text) as unknown as TomlTables;
}

export function responseOf(text: string): Record<string, unknown> {
  const [response] = parseToml(text)['response'] ?? [];
  if (!response) throw new Error(`no [[response]] in ${text}`);
  return response;
}
