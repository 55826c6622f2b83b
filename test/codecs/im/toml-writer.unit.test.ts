import TOML from '@iarna/toml';
import { expect } from 'chai';
import { readFrames, type TomlFrame, type TomlTable, type TomlValue } from '../../../src/codecs/im/toml-reader.js';
import { writeDocument, writeFrameLine } from '../../../src/codecs/im/toml-writer.js';
import { seededRandom, type Random } from './random.js';

/** Frames that exercise every escape, character class and nesting the writer handles. */
const TRICKY: TomlFrame[] = [
  { type: 'm', fields: { id: 'a_02', c: 'say "hi" to C:\\dir\\', to: 2, d: 'android' } },
  { type: 'm', fields: { c: 'line 1\nline 2\r\n\ttabbed\u0000\u0007\u001f\u007f end', t: 'text' } },
  { type: 'gm', fields: { c: '😀 👍🏽 大傻 中文 𠮷', g_id: 123 } },
  { type: 'm', fields: { c: '[[m]] id = "x" [m.user] ]] [[', x: "it's" } },
  { type: 'r', fields: { id: 'a_01', t: 'login', user: { id: 1, d: 'android', token: '3vPjUabByvMwBFR9tIeP0bDec4INGQ/T' } } },
  { type: 'response', fields: { user: { id: 1, meta: { deep: { er: 'x' } } }, status: 0, reason: '' } },
  { type: 'r', fields: { members: [2, 3], names: ['a', '"b"'], mixed: [1, 'x', true, [1.5, -2]], empty: [], rows: [{ id: 1 }, {}] } },
  { type: 'weird type', fields: { 'a key': 1, '': 'empty key', é: 'unicode key', 'a.b': 'dotted', ['__proto__']: 'data' } },
  { type: 'n', fields: { a: -7, b: 0.1, c: 1e21, d: 2 ** 53, e: -1.5e-7, f: Number.MAX_SAFE_INTEGER, g: false, h: Infinity, i: NaN } },
  { type: 'empty', fields: {} },
  { type: 'm', fields: { user: {}, after: 'x' } },
];

describe('toml writer', () => {
  describe('writeFrameLine', () => {
    it('writes the legacy one-line form with single spaces', () => {
      expect(writeFrameLine({ type: 'm', fields: { id: 'a_02', c: 'hello', to: 2 } })).to.equal('[[m]] id = "a_02" c = "hello" to = 2');
      expect(writeFrameLine({ type: 'a', fields: { id: 'a_02' } })).to.equal('[[a]] id = "a_02"');
      expect(writeFrameLine({ type: 'health', fields: {} })).to.equal('[[health]]');
    });

    it('writes sub-tables inline after the parent keys, whatever the insertion order', () => {
      const frame: TomlFrame = { type: 'response', fields: { user: { token: 'abc', id: 1 }, status: 0, port: '1987' } };
      expect(writeFrameLine(frame)).to.equal('[[response]] status = 0 port = "1987" [response.user] token = "abc" id = 1');
      const nested: TomlFrame = { type: 'r', fields: { user: { d: 'ios', meta: { v: 2 } } } };
      expect(writeFrameLine(nested)).to.equal('[[r]] [r.user] d = "ios" [r.user.meta] v = 2');
    });

    it('escapes quotes, backslashes and control characters so a frame never spans lines', () => {
      const line = writeFrameLine({ type: 'm', fields: { c: 'a "b" \\ c\nd\te\r\u0001\u007f' } });
      expect(line).to.equal(String.raw`[[m]] c = "a \"b\" \\ c\nd\te\r\u0001\u007f"`);
      for (const frame of TRICKY) expect(writeFrameLine(frame)).to.not.match(/[\n\r]/);
    });

    it('quotes keys and names that are not bare', () => {
      expect(writeFrameLine({ type: 'a b', fields: { 'x y': 1, '': 2, é: 3, ok_key: 4 } })).to.equal(
        '[["a b"]] "x y" = 1 "" = 2 "é" = 3 ok_key = 4',
      );
    });

    it('writes numbers so they read back as the same number', () => {
      const line = writeFrameLine({ type: 'n', fields: { a: -7, b: 0.5, c: 2 ** 53, d: 1e21, e: Infinity, f: -Infinity, g: NaN } });
      expect(line).to.equal('[[n]] a = -7 b = 0.5 c = 9007199254740992.0 d = 1e+21 e = inf f = -inf g = nan');
    });

    it('leaves out undefined values, as an optional property spread into fields can carry one', () => {
      const optional: { id: string; d?: string } = { id: 'a_02', d: undefined };
      const frame: TomlFrame = { type: 'a', fields: { ...optional, user: { ...optional } } };
      expect(writeFrameLine(frame)).to.equal('[[a]] id = "a_02" [a.user] id = "a_02"');
      expect(writeFrameLine({ type: 'a', fields: { rows: [{ ...optional }] } })).to.equal('[[a]] rows = [{ id = "a_02" }]');
    });

    it('writes arrays and tables inside arrays inline', () => {
      const line = writeFrameLine({ type: 'r', fields: { members: [2, 3], rows: [{ id: 1, tags: ['x'] }, {}], none: [] } });
      expect(line).to.equal('[[r]] members = [2, 3] rows = [{ id = 1, tags = ["x"] }, {}] none = []');
    });
  });

  describe('writeDocument', () => {
    it('writes [[response]] then [[user]] rows, one key per line, ending with a newline', () => {
      const text = writeDocument([
        { type: 'response', fields: { status: 0 } },
        { type: 'user', fields: { id: 2, name: 'xiaotie', phone: '8618266175357', avatar: '' } },
        { type: 'user', fields: { id: 3, name: '大傻', phone: '8618266175358', avatar: '' } },
      ]);
      expect(text).to.equal(
        '[[response]]\nstatus = 0\n' +
          '[[user]]\nid = 2\nname = "xiaotie"\nphone = "8618266175357"\navatar = ""\n' +
          '[[user]]\nid = 3\nname = "大傻"\nphone = "8618266175358"\navatar = ""\n',
      );
    });

    it('writes sub-tables as [parent.child] headers after the parent keys', () => {
      const text = writeDocument([{ type: 'response', fields: { user: { id: 1, token: 'abc' }, status: 0, server: 'localhost' } }]);
      expect(text).to.equal('[[response]]\nstatus = 0\nserver = "localhost"\n[response.user]\nid = 1\ntoken = "abc"\n');
    });

    it('keeps the given interleaving of frame types', () => {
      const frames: TomlFrame[] = [
        { type: 'response', fields: { status: 0, version: 4 } },
        { type: 'user', fields: { id: 2 } },
        { type: 'removed', fields: { id: 3 } },
        { type: 'user', fields: { id: 4 } },
      ];
      const text = writeDocument(frames);
      expect(text.match(/^\[\[\w+\]\]$/gm)).to.deep.equal(['[[response]]', '[[user]]', '[[removed]]', '[[user]]']);
      expect(readFrames(text)).to.deep.equal(frames);
    });

    it('is standard TOML that @iarna/toml parses to the same values', () => {
      const frames: TomlFrame[] = [
        { type: 'response', fields: { status: 0, reason: 'a "quoted"\nreason', user: { id: 1, token: 'x/y+z' } } },
        { type: 'user', fields: { id: 2, name: '😀 大傻', tags: ['a', 'b'], score: 1.5, ok: true } },
        { type: 'user', fields: { id: 3, rows: [{ n: 1 }] } },
      ];
      expect(TOML.parse(writeDocument(frames))).to.deep.equal({
        response: [{ status: 0, reason: 'a "quoted"\nreason', user: { id: 1, token: 'x/y+z' } }],
        user: [
          { id: 2, name: '😀 大傻', tags: ['a', 'b'], score: 1.5, ok: true },
          { id: 3, rows: [{ n: 1 }] },
        ],
      });
    });

    it('writes nothing for no frames', () => {
      expect(writeDocument([])).to.equal('');
    });
  });

  describe('round trips', () => {
    it('reads back every tricky frame, alone and all together, in both forms', () => {
      for (const frame of TRICKY) {
        expect(readFrames(writeFrameLine(frame)), writeFrameLine(frame)).to.deep.equal([frame]);
        expect(readFrames(writeDocument([frame])), writeDocument([frame])).to.deep.equal([frame]);
      }
      expect(readFrames(TRICKY.map(writeFrameLine).join(' '))).to.deep.equal(TRICKY);
      expect(readFrames(TRICKY.map(writeFrameLine).join('\n'))).to.deep.equal(TRICKY);
      expect(readFrames(writeDocument(TRICKY))).to.deep.equal(TRICKY);
    });

    it('reads back randomly generated frames', () => {
      const random = seededRandom(42);
      for (let round = 0; round < 500; round++) {
        const frames = Array.from({ length: 1 + random.int(3) }, () => randomFrame(random));
        expect(readFrames(writeDocument(frames))).to.deep.equal(frames);
        expect(readFrames(frames.map(writeFrameLine).join(' '))).to.deep.equal(frames);
      }
    });
  });
});

const STRING_CHARS = [
  'a',
  'Z',
  '0',
  ' ',
  '"',
  "'",
  '\\',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u007f',
  '[[',
  ']]',
  '=',
  '#',
  '😀',
  '大',
  'é',
  '\u2028',
];

function randomString(random: Random): string {
  let text = '';
  for (let n = random.int(8); n > 0; n--) text += random.pick(STRING_CHARS);
  return text;
}

function randomValue(random: Random, depth: number): TomlValue {
  switch (random.int(depth > 2 ? 5 : 7)) {
    case 0:
      return randomString(random);
    case 1:
      return random.int(2 ** 31) - 2 ** 30;
    case 2:
      return (random.int(2_000_001) - 1_000_000) / 1024;
    case 3:
      return random.int(2) === 1;
    case 4:
      return Number.MAX_SAFE_INTEGER - random.int(10);
    case 5:
      return Array.from({ length: random.int(4) }, () => randomValue(random, depth + 1));
    default:
      return randomTable(random, depth + 1);
  }
}

function randomTable(random: Random, depth: number): TomlTable {
  const table: TomlTable = {};
  for (let n = random.int(5); n > 0; n--)
    table[random.int(3) === 0 ? randomString(random) : `k${random.int(20)}`] = randomValue(random, depth);
  return table;
}

function randomFrame(random: Random): TomlFrame {
  return { type: random.pick(['m', 'gm', 'n', 'a', 'response', 'user', 'odd type']), fields: randomTable(random, 0) };
}
