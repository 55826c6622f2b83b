/**
 * The frame model shared by the TOML reader, writer and TCP frame splitter.
 *
 * A frame is one entry of a top-level array of tables: `[[m]] id = "a_02" to = 2`
 * is `{ type: 'm', fields: { id: 'a_02', to: 2 } }`. Sub-tables (`[r.user] id = 1`)
 * become nested objects in `fields`.
 */

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;

export interface TomlTable {
  [key: string]: TomlValue;
}

export interface TomlFrame {
  type: string;
  fields: Record<string, TomlValue>;
}

/**
 * Deepest nesting of arrays, inline tables and sub-tables a reader accepts.
 * Hostile input must neither blow the stack nor build huge object chains.
 */
export const MAX_NESTING = 32;

/**
 * A document that cannot be read. `reason` is short and safe to send back to
 * the client (`[[rr]] s = 1 r = "<reason>"`).
 */
export class TomlSyntaxError extends Error {
  override readonly name = 'TomlSyntaxError';

  constructor(
    readonly reason: string,
    /** True when the text may be valid TOML that only the fast dialect parser lacks. */
    readonly unsupported = false,
  ) {
    super(reason);
  }
}

/**
 * Tables are created without a prototype so that keys such as `__proto__` or
 * `constructor` sent by a client are plain data and never reach Object.prototype.
 */
export function newTable(): TomlTable {
  return Object.create(null) as TomlTable;
}
