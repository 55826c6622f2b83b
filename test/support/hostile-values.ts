import type { Random } from '../codecs/im/random.js';

/**
 * Values clients should not send, for fuzzing: path segments, texts, JSON values and raw bytes.
 * None of them spells an error message or a stack frame, so that an answer echoing one is not
 * mistaken for a leak of internals.
 */

/** Path segments (already percent-encoded where needed) that are no valid id. */
export const HOSTILE_SEGMENTS: readonly string[] = [
  '-1',
  '0',
  '1.5',
  '1e3',
  '0x10',
  '00001',
  '+1',
  '%201',
  '1%20',
  '9007199254740993',
  '99999999999999999999999999',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'me',
  'abc',
  '%00',
  '%ff',
  '%E0%A4%A',
  '..',
  '%2e%2e%2f%2e%2e',
  '%2F',
  '1%3BDROP',
  "1'%20OR%20'1'%3D'1",
  '%F0%9F%99%82',
  '%0A',
  '%22',
  '%5B%5Bm%5D%5D',
  'room-1',
  '*',
  encodeURIComponent('長'.repeat(300)),
  'x'.repeat(4000),
];

/** Texts with quotes, newlines, any Unicode, injections and sizes around the limits. */
export const HOSTILE_TEXTS: readonly string[] = [
  '',
  ' ',
  '"',
  "'",
  '\\',
  '\n',
  '\r\n',
  '\t',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202eevil',
  '\u200b',
  '\ufeff',
  '🙂',
  '👨‍👩‍👧‍👦',
  '中文',
  'مرحبا',
  'e\u0301',
  'x'.repeat(64),
  'x'.repeat(65),
  'x'.repeat(10_001),
  '長'.repeat(3000),
  '[[m]] id = "x" to = 1',
  '[[rr]] s = 0',
  '{"a":1}',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '%s%s%n',
  '-1',
  '1e309',
  'true',
  'null',
  '[]',
  '8613800000000',
];

/** Bytes that are not UTF-8: overlong forms, surrogates, truncated sequences, stray continuations. */
export const INVALID_UTF8: readonly Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
  Buffer.from([0x80, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xfe, 0xfe, 0xff, 0xff]),
];

/** JSON texts of every type but the expected one, and numbers JavaScript cannot hold. */
export const HOSTILE_JSON_VALUES: readonly string[] = [
  'null',
  'true',
  'false',
  '0',
  '-1',
  '1.5',
  '-0',
  '1e308',
  '1e400',
  '9007199254740993',
  `1${'0'.repeat(400)}`,
  '[]',
  '{}',
  '[1,2,3]',
  '{"id":1}',
  '[{"id":"1"}]',
  '"1"',
  '""',
  '"x"',
  JSON.stringify('x'.repeat(20_000)),
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
];

export function chance(random: Random, percent: number): boolean {
  return random.int(100) < percent;
}

export function randomBytes(random: Random, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => random.int(256)));
}

/** Printable ASCII with the characters that matter to parsers over-represented. */
export function randomText(random: Random, length: number): string {
  const alphabet = 'abcXYZ019 "\'\\[]{}=,.:;#%&?+-_\n\r\t';
  return Array.from({ length }, () => random.pick([...alphabet])).join('');
}

/** `[[[[...]]]]` or `{"a":{"a":...}}` this deep. */
export function deeplyNested(random: Random, depth: number): string {
  return chance(random, 50) ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A prefix of the text, cut anywhere. */
export function truncated(random: Random, text: string): string {
  return text.slice(0, random.int(Math.max(1, text.length)));
}
