import type { Answer } from './https-client.js';
import { missingSecurityHeaders } from './security-headers.js';
import { imEnvelope, parseToml } from './toml.js';

/** What an answer to a bad request must never show: stack frames, paths, library and system error names. */
const INTERNALS: readonly RegExp[] = [
  /\n\s+at /,
  /\bat [\w$.<>]+ \(/,
  /node_modules/,
  /\/(?:work|home|usr|tmp)\//,
  /\.[cm]?[jt]s:\d+/,
  /\b(?:Type|Reference|Range|Syntax|Assertion)Error\b/,
  /SQLITE_|Formidable|koa|zod/i,
  /\bE(?:NOENT|ACCES|PIPE|CONNRESET|ADDRINUSE|ISDIR)\b/,
  /internal[ _]error/i,
];

/** The first sign of internals in a text, or null. */
export function internalDetail(text: string): string | null {
  for (const pattern of INTERNALS) {
    const match = pattern.exec(text);
    if (match) return match[0];
  }
  return null;
}

/**
 * Everything wrong with an answer to a request a client should not have sent: a 5xx, a missing
 * security header, an answer out of its dialect's shape, internals in a refusal. Empty when the
 * server answered as it should.
 */
export function judgeAnswer(path: string, method: string, answer: Answer): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`HTTP ${answer.status}`);
  const missing = missingSecurityHeaders(answer);
  if (missing.length > 0) problems.push(`no ${missing.join(', ')}`);
  // A HEAD answer has no body to judge.
  if (method === 'HEAD') return problems;
  const refusal = path === '/v1' || path.startsWith('/v1/') ? v1Refusal(answer, problems) : imRefusal(answer, problems);
  const leak = refusal === null ? null : internalDetail(refusal);
  if (leak !== null) problems.push(`internals in the refusal: ${JSON.stringify(leak)}`);
  return problems;
}

const isJson = (answer: Answer) => String(answer.headers['content-type'] ?? '').startsWith('application/json');
const isToml = (answer: Answer) => String(answer.headers['content-type'] ?? '').startsWith('application/toml');

/** Checks a v1 answer's shape; the text of a refusal, or null for a success. */
function v1Refusal(answer: Answer, problems: string[]): string | null {
  if (answer.status < 400) {
    if (isJson(answer) && !parses(() => JSON.parse(answer.text))) problems.push('a success that is not JSON');
    return null;
  }
  let body: unknown;
  if (!isJson(answer) || !parses(() => (body = JSON.parse(answer.text)))) {
    problems.push(`a refusal that is not JSON: ${answer.text.slice(0, 80)}`);
    return answer.text;
  }
  const error = (body as { error?: { code?: unknown } }).error;
  if (Object.keys(body as object).length !== 1 || typeof error?.code !== 'string' || !/^[a-z_]+$/.test(error.code))
    problems.push(`not {"error":{"code"}}: ${answer.text.slice(0, 80)}`);
  return answer.text;
}

/** Checks an im answer's shape: the TOML envelope (media downloads aside); the text of a refusal, or null. */
function imRefusal(answer: Answer, problems: string[]): string | null {
  if (!isToml(answer)) {
    // Media bytes, or an empty 416 for a range the file does not have.
    if (![200, 206, 416].includes(answer.status)) problems.push(`HTTP ${answer.status} without the TOML envelope`);
    return answer.status === 416 ? null : answer.status < 300 ? null : answer.text;
  }
  let response: Record<string, unknown> | undefined;
  if (!parses(() => ([response] = parseToml(imEnvelope(answer.text))['response'] ?? []))) {
    problems.push(`TOML that does not parse: ${answer.text.slice(0, 80)}`);
    return answer.text;
  }
  const status = response?.['status'];
  if (typeof status !== 'number' || !Number.isInteger(status)) problems.push(`no integer status: ${answer.text.slice(0, 80)}`);
  if (status === 0) return null;
  if (typeof response?.['reason'] !== 'string' || response['reason'] === '')
    problems.push(`a refusal without a reason: ${answer.text.slice(0, 80)}`);
  if (status === 99) problems.push(`status 99 (an internal error): ${String(response?.['reason'])}`);
  return answer.text;
}

function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch {
    return false;
  }
}
