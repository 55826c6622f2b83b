/**
 * Texts that must arrive byte for byte through every path (HTTP in both dialects, IM over
 * WebSocket and TLS, v1 room chat), and texts that are refused with a clear error instead.
 */
export const FAITHFUL_TEXTS: Readonly<Record<string, string>> = {
  'double quotes': 'she said "hi" and "left"',
  'single quotes and backslashes': 'it\'s C:\\path\\to \\" \\n \\u0041 literal',
  newlines: 'line 1\nline 2\r\nline 3\rline 4\n',
  'tabs and other controls': 'a\tb\u0001c\u001bd\u001fe\u007ff\bg\fh',
  'TOML look-alike': '[[m]] id = "x" c = "injected" to = 1\n[[rr]] s = 0 r = "ok"',
  'JSON look-alike': '{"text":"x","error":{"code":"y"}} \\u0000 "]',
  emoji: '🙂👍🏽👨‍👩‍👧‍👦🏳️‍🌈🇨🇳',
  CJK: '中文，日本語のテキスト、한국어 𠜎𠜱',
  RTL: 'مرحبا بالعالم שלום \u202eevil\u202c \u200f!',
  'combining marks': 'e\u0301 n\u0303 Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇ \u0915\u094d\u0937',
  'invisible characters': 'a\u200bb\u200dc\ufeffd\u2028e\u2029f\u00a0g',
  'astral and noncharacters': '𝕳𝖊𝖑𝖑𝖔 𐍈 \ufffe\uffff\u{10ffff}',
  'at the length limit': `${'ß'.repeat(9_998)}🙂!`,
};

/** Refused everywhere as `invalid_text` (v1) / "Invalid text" (im): no client could show them faithfully. */
export const REFUSED_TEXTS: Readonly<Record<string, string>> = {
  empty: '',
  // NUL ends a string in C clients and is refused by many stores: it is never typed, so it is refused.
  NUL: 'before\u0000after',
  // A lone surrogate is not Unicode: UTF-8 cannot carry it, so it could not arrive as sent.
  'lone high surrogate': 'a\ud800b',
  'lone low surrogate': '\udc00',
  'over the length limit': 'x'.repeat(10_001),
};
