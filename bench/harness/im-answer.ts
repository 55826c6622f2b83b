import type { TomlFrame, TomlTable } from '../../src/codecs/im/toml-frame.js';
import { readFrames } from '../../src/codecs/im/toml-reader.js';
import { BenchFailure } from './bench-result.js';
import type { HttpAnswer } from './http-client.js';

export interface ImAnswer {
  response: TomlTable;
  /** The rows after `[[response]]`: `[[user]]`, `[[removed]]`, ... */
  rows: TomlFrame[];
}

/** An im answer that must be HTTP 200 with `status = 0`; anything else fails the benchmark, naming `what`. */
export function expectImSuccess(answer: HttpAnswer, what: string): ImAnswer {
  const [first, ...rows] = answer.status === 200 ? readFrames(answer.body) : [];
  if (!first || first.type !== 'response' || first.fields['status'] !== 0) {
    throw new BenchFailure(`${what}: expected status 0, got HTTP ${answer.status}: ${answer.body.slice(0, 200)}`);
  }
  return { response: first.fields, rows };
}
