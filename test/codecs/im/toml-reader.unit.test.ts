import { expect } from 'chai';
import { TomlSyntaxError, readFrames, type TomlFrame } from '../../../src/codecs/im/toml-reader.js';
import { writeDocument, writeFrameLine } from '../../../src/codecs/im/toml-writer.js';
import { seededRandom } from './random.js';

/** The reason readFrames gives for `text`; fails the test if it parses or throws anything else. */
function reasonFor(text: string): string {
  try {
    readFrames(text);
  } catch (error) {
    if (error instanceof TomlSyntaxError) return error.reason;
    throw error;
  }
  return expect.fail(`expected a TomlSyntaxError for ${JSON.stringify(text)}`);
}

describe('readFrames', () => {
  describe('simple_im examples (seed and reference)', () => {
    it('reads the IM login frame with its inline [r.user] sub-table', () => {
      const text = '[[r]] id = "a_01" t = "login" [r.user] id = 1 d = "android" token = "3vPjUabByvMwBFR9tIeP0bDec4INGQ/T"';
      expect(readFrames(text)).to.deep.equal([
        {
          type: 'r',
          fields: { id: 'a_01', t: 'login', user: { id: 1, d: 'android', token: '3vPjUabByvMwBFR9tIeP0bDec4INGQ/T' } },
        },
      ]);
    });

    it('reads a client message and the relayed copy with reversed keys', () => {
      expect(readFrames('[[m]] id = "a_02" c = "hello" to = 2 d = "android"')).to.deep.equal([
        { type: 'm', fields: { id: 'a_02', c: 'hello', to: 2, d: 'android' } },
      ]);
      const relayed = readFrames('[[m]] d = "android" to = 2 c = "hello" t = "text" id = "a_02" ts = 1444719450 from = 1');
      expect(relayed[0]?.fields).to.deep.equal({ d: 'android', to: 2, c: 'hello', t: 'text', id: 'a_02', ts: 1444719450, from: 1 });
      expect(Object.keys(relayed[0]?.fields ?? {})).to.deep.equal(['d', 'to', 'c', 't', 'id', 'ts', 'from']);
    });

    it('reads HTTP answers: a [[response]] line followed by [[user]] rows', () => {
      expect(readFrames('[[response]] status = 0\n[[user]] id = 2 name = "xiaotie" phone = "8618266175357" avatar = ""')).to.deep.equal([
        { type: 'response', fields: { status: 0 } },
        { type: 'user', fields: { id: 2, name: 'xiaotie', phone: '8618266175357', avatar: '' } },
      ]);
      expect(
        readFrames('[[response]] status = 0 version = 19\r\n[[user]] id = 2 name = "xiaotie" phone = "8618266175357" avatar = ""'),
      ).to.have.length(2);
      expect(readFrames('[[response]] status = 1 reason = "error reason"')).to.deep.equal([
        { type: 'response', fields: { status: 1, reason: 'error reason' } },
      ]);
    });

    it('reads the login answer with its [response.user] sub-table', () => {
      const text =
        '[[response]] status = 0 server = "192.168.3.5" port = "1987" [response.user] token = "I0kUMlwgXy6DfFwd+1indo6+rsF+YJfd" id = 1';
      expect(readFrames(text)).to.deep.equal([
        {
          type: 'response',
          fields: { status: 0, server: '192.168.3.5', port: '1987', user: { token: 'I0kUMlwgXy6DfFwd+1indo6+rsF+YJfd', id: 1 } },
        },
      ]);
    });

    it('reads the multi-line notification examples written without spaces around =', () => {
      const examples: [string, TomlFrame][] = [
        [
          '[[n]]\nt="delete_contact"\nfrom=1\nto=2\nts = 1448185739\nd = "android"\n',
          { type: 'n', fields: { t: 'delete_contact', from: 1, to: 2, ts: 1448185739, d: 'android' } },
        ],
        [
          '[[n]]\nt="create_group"\ng_id = 9\ng_key = "PLwXRfpe7zFl3FWN"\nts = 1448185739\nd = "android"\n',
          { type: 'n', fields: { t: 'create_group', g_id: 9, g_key: 'PLwXRfpe7zFl3FWN', ts: 1448185739, d: 'android' } },
        ],
        [
          '[[n]]\nt="delete_group"\ng_id = 1\nts = 1448185739\nd = "android"\n',
          { type: 'n', fields: { t: 'delete_group', g_id: 1, ts: 1448185739, d: 'android' } },
        ],
        [
          '[[n]]\nt="create_group_member"\ng_id = 2\nmember_id = 2\nts = 1448185739\nd = "android"\n',
          { type: 'n', fields: { t: 'create_group_member', g_id: 2, member_id: 2, ts: 1448185739, d: 'android' } },
        ],
        [
          '[[n]]\nt="delete_group_member"\ng_id = 2\ngm_id = 2\nts = 1448185739\nd = "android"\n',
          { type: 'n', fields: { t: 'delete_group_member', g_id: 2, gm_id: 2, ts: 1448185739, d: 'android' } },
        ],
      ];
      for (const [text, frame] of examples) expect(readFrames(text)).to.deep.equal([frame]);
    });

    it('reads arrays without spaces, as in the create_group request', () => {
      expect(readFrames('[[r]] id="c_01" t="create_group" name="group1" members=[2,3]')).to.deep.equal([
        { type: 'r', fields: { id: 'c_01', t: 'create_group', name: 'group1', members: [2, 3] } },
      ]);
      expect(readFrames('[[m]] tags = ["a","b"]')[0]?.fields.tags).to.deep.equal(['a', 'b']);
    });
  });

  describe('layout', () => {
    it('keeps frames in order of appearance, also on one line', () => {
      const frames = readFrames('[[a]] id = "1" [[m]] id = "2" to = 3 [[a]] id = "4"');
      expect(frames.map((frame) => `${frame.type}:${String(frame.fields.id)}`)).to.deep.equal(['a:1', 'm:2', 'a:4']);
    });

    it('tolerates a BOM, leading whitespace and newlines, CRLF, comments and tabs', () => {
      const text = '\uFEFF \r\n\n# hello\n[[m]]\tid = "x"  # trailing comment\r\n\tto = 2\r\n';
      expect(readFrames(text)).to.deep.equal([{ type: 'm', fields: { id: 'x', to: 2 } }]);
    });

    it('returns no frames for an empty or blank document', () => {
      expect(readFrames('')).to.deep.equal([]);
      expect(readFrames(' \n# only a comment\n')).to.deep.equal([]);
    });

    it('reads a header with nothing after it as a frame without fields', () => {
      expect(readFrames('[[health]]')).to.deep.equal([{ type: 'health', fields: {} }]);
    });

    it('reads standard TOML: quoted keys, inline tables, nested sub-tables, arrays of tables', () => {
      const text = [
        '[[response]]',
        'status = 0',
        '"a key" = { x = 1, y = [true, false] }',
        '[response.user]',
        'id = 7',
        '[response.user.meta]',
        "note = 'raw \\n'",
        '[[response.items]]',
        'n = 1',
        '[[response.items]]',
        'n = 2',
        '',
      ].join('\n');
      expect(readFrames(text)).to.deep.equal([
        {
          type: 'response',
          fields: {
            status: 0,
            'a key': { x: 1, y: [true, false] },
            user: { id: 7, meta: { note: 'raw \\n' } },
            items: [{ n: 1 }, { n: 2 }],
          },
        },
      ]);
    });

    it('hands what only standard TOML knows to the standard parser, keeping frame order', () => {
      const text = [
        '[[a]]',
        'id = """one',
        '[[not a header]]"""',
        '[[m]]',
        'user.id = 0x1F',
        "c = '''two'''",
        'at = 1979-05-27T07:32:00Z',
        '[[a]]',
        'id = "three"',
        '',
      ].join('\n');
      expect(readFrames(text)).to.deep.equal([
        { type: 'a', fields: { id: 'one\n[[not a header]]' } },
        { type: 'm', fields: { user: { id: 31 }, c: 'two', at: '1979-05-27T07:32:00.000Z' } },
        { type: 'a', fields: { id: 'three' } },
      ]);
    });

    it('reads each standard-only feature through the standard parser', () => {
      const cases: [string, TomlFrame['fields']][] = [
        ['[[m]]\nx = 0x1F\ny = 0o17\nz = 0b101', { x: 31, y: 15, z: 5 }],
        ['[[m]]\nday = 1979-05-27', { day: '1979-05-27' }],
        ['[[m]]\nat = 1979-05-27T07:32:00Z', { at: '1979-05-27T07:32:00.000Z' }],
        ['[[m]]\nuser.id = 1\nuser.d = "ios"', { user: { id: 1, d: 'ios' } }],
        ['[[m]]\nc = """\nfirst\\\n  second"""', { c: 'firstsecond' }],
        ["[[m]]\nc = '''raw \\n'''", { c: 'raw \\n' }],
        ['[[m]]\nmeta = { a.b = 1 }', { meta: { a: { b: 1 } } }],
      ];
      for (const [text, fields] of cases) expect(readFrames(text), text).to.deep.equal([{ type: 'm', fields }]);
    });
  });

  describe('values', () => {
    it('decodes the standard escapes and reads literal strings raw', () => {
      const frames = readFrames(String.raw`[[m]] a = "q\" b\\ n\n t\t r\r f\f b\b \u00e9 \U0001F600" b = 'C:\path\n'`);
      expect(frames[0]?.fields).to.deep.equal({ a: 'q" b\\ n\n t\t r\r f\f b\b é 😀', b: 'C:\\path\\n' });
    });

    it('accepts raw newlines inside strings, as legacy clients send multi-line text unescaped', () => {
      expect(readFrames('[[m]] c = "line 1\nline 2" to = 2')[0]?.fields).to.deep.equal({ c: 'line 1\nline 2', to: 2 });
    });

    it('keeps [[ and ]] inside strings, emoji and CJK as they are', () => {
      expect(readFrames('[[m]] c = "[[m]] to = 3 ]]" d = "大傻 👍🏽"')[0]?.fields).to.deep.equal({ c: '[[m]] to = 3 ]]', d: '大傻 👍🏽' });
    });

    it('reads integers (also negative), floats, booleans, inf and nan', () => {
      const fields = readFrames(
        '[[m]] a = -5 b = +7 c = 1_000 d = 3.25 e = -1e-3 f = 6E2 g = true h = false i = -inf j = nan k = 007 l = -0',
      )[0]?.fields;
      expect(fields).to.deep.equal({
        a: -5,
        b: 7,
        c: 1000,
        d: 3.25,
        e: -0.001,
        f: 600,
        g: true,
        h: false,
        i: -Infinity,
        j: NaN,
        k: 7,
        l: 0,
      });
    });

    it('accepts the largest safe integers and refuses bigger ones instead of rounding them', () => {
      expect(readFrames('[[m]] a = 9007199254740991 b = -9007199254740991')[0]?.fields).to.deep.equal({
        a: Number.MAX_SAFE_INTEGER,
        b: Number.MIN_SAFE_INTEGER,
      });
      expect(reasonFor('[[m]] to = 9007199254740992')).to.equal('integer out of range for key "to"');
      expect(reasonFor('[[m]] to = -99999999999999999999')).to.equal('integer out of range for key "to"');
      expect(reasonFor('[[m]]\nc = """x"""\nto = 99999999999999999999')).to.equal('integer out of range for key "to"');
    });

    it('makes client keys plain data: __proto__ and constructor cannot reach Object.prototype', () => {
      const frames = readFrames('[[m]] __proto__ = 1 constructor = "x" [m.toString] polluted = true');
      const fields = frames[0]?.fields ?? {};
      expect(Object.keys(fields)).to.deep.equal(['__proto__', 'constructor', 'toString']);
      expect(fields.__proto__).to.equal(1);
      expect(Object.getPrototypeOf(fields)).to.equal(null);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect(readFrames('[[m]] to = 2')[0]?.fields.constructor).to.equal(undefined);
    });
  });

  describe('errors', () => {
    const cases: [string, string][] = [
      ['[[m]] id = "a_02', 'unterminated string'],
      ["[[m]] id = 'a_02", 'unterminated string'],
      ['[[m]] to 2', `expected '=' after key "to"`],
      ['id = "x"', 'key "id" before the first [[table]]'],
      ['[[m]] id = "a" id = "b"', 'duplicate key "id"'],
      ['[[m]] a = [1, 2', 'unterminated array for key "a"'],
      ['[[m]] a = [1 2]', `unexpected "2", expected ',' or ']' in the array for key "a"`],
      ['[[m]] a = {x = 1', 'unterminated inline table for key "a"'],
      ['[[m]] a = {x = 1,', 'unterminated inline table for key "a"'],
      ['[[m]] a = "\\x"', 'invalid escape "\\\\x" in a string'],
      ['[[m]] a = "\\uD800"', 'invalid unicode escape in a string'],
      ['[[m]] a = "\\u12"', 'invalid unicode escape in a string'],
      ['[[m]] a =', 'unexpected end of input, expected a value for key "a"'],
      ['[[m]] a = @', 'unexpected "@", expected a value for key "a"'],
      ['[[m]] a = 12abc', 'invalid value "12abc" for key "a"'],
      ['[[m]] a = 1.', 'invalid value "1." for key "a"'],
      ['[[m]', `expected ']' after table name "m"`],
      ['[[]]', `unexpected "]", expected a key`],
      ['[m] id = 1', 'table "m" must be written with double brackets'],
      ['[[m]] [n.user] id = 1', 'table "n.user" must follow its [[table]]'],
      ['[n.user] id = 1', 'table "n.user" must follow its [[table]]'],
      ['[[r]] [r.user] id = 1 [r.user] id = 2', 'duplicate table "r.user"'],
      ['[[r]] user = 1 [r.user] id = 2', 'duplicate table "r.user"'],
      ['[[r]] user = 1 [r.user.x] id = 2', 'table "r.user.x" redefines key "user"'],
      ['hello', 'key "hello" before the first [[table]]'],
      ['\u0001', 'unexpected "\\u0001", expected a key'],
    ];
    for (const [text, reason] of cases) {
      it(`${JSON.stringify(text)} -> ${reason}`, () => {
        expect(reasonFor(text)).to.equal(reason);
      });
    }

    it('keeps reasons short and on one line, even for long keys', () => {
      const reason = reasonFor(`[[m]] ${'k'.repeat(5000)} 2`);
      expect(reason).to.match(/^expected '=' after key "k{32}…"$/);
      const standard = reasonFor('[[m]]\na = """never closed');
      expect(standard).to.not.include('\n');
      expect(standard).to.match(/^Unterminated multi-line string/);
    });

    it('refuses deep nesting quickly, whichever parser would see it', () => {
      const ok = `[[m]] a = ${'['.repeat(32)}1${']'.repeat(32)}`;
      expect(readFrames(ok)).to.have.length(1);
      expect(reasonFor(`[[m]] a = ${'['.repeat(33)}1${']'.repeat(33)}`)).to.equal('nesting too deep');
      expect(reasonFor(`[[m]] a = ${'{ b = '.repeat(40)}1${' }'.repeat(40)}`)).to.equal('nesting too deep');
      expect(reasonFor(`[[m]] [m${'.a'.repeat(40)}]`)).to.equal('nesting too deep');
      const started = Date.now();
      expect(reasonFor(`[[m]]\nc = """x"""\na = ${'['.repeat(60_000)}`)).to.equal('nesting too deep');
      expect(reasonFor(`[[m]] a = ${'['.repeat(60_000)}`)).to.equal('nesting too deep');
      expect(Date.now() - started).to.be.below(500);
    });

    it('throws only TomlSyntaxError on random fragments and mutated frames, and what it accepts round-trips', () => {
      const random = seededRandom(0x5eed);
      const fragments = [
        '[[',
        ']]',
        '[',
        ']',
        '"',
        "'",
        '"""',
        "'''",
        '=',
        ' = ',
        '\\',
        '\\u',
        '\\U0001F600',
        '\n',
        '\r\n',
        '{',
        '}',
        ',',
        '.',
        '#',
        'm',
        'r.user',
        'id',
        '"id"',
        '1',
        '-2',
        '1e5',
        '0x1F',
        '99999999999999999999',
        'true',
        'nan',
        '😀',
        '大',
        '\u0000',
        '\uFEFF',
        ' ',
        '\t',
        '[[m]] ',
        'c = "x" ',
        'a = [1, [2]] ',
        '1979-05-27',
      ];
      const valid = [
        '[[r]] id = "a_01" t = "login" [r.user] id = 1 d = "android" token = "3vPj/T"',
        '[[m]] id = "a_02" c = "say \\"hi\\" 😀\\n" to = 2 tags = [1, "x", [true]] meta = { k = -1.5 }',
        '[[n]]\nt="delete_contact"\nfrom=1\n[[gm]]\nc = """multi\nline"""\ng.id = 0x1F\n',
      ];
      let accepted = 0;
      for (let round = 0; round < 4000; round++) {
        let text = '';
        if (round % 2 === 0) {
          for (let pieces = 1 + random.int(12); pieces > 0; pieces--) {
            text += random.int(4) === 0 ? String.fromCharCode(random.int(0x80)) : random.pick(fragments);
          }
        } else {
          // A valid frame with a few characters inserted, deleted or replaced.
          text = random.pick(valid);
          for (let edits = 1 + random.int(3); edits > 0; edits--) {
            const at = random.int(text.length + 1);
            const insert = random.int(2) === 0 ? random.pick(fragments) : '';
            text = text.slice(0, at) + insert + text.slice(at + random.int(3));
          }
        }
        let frames: TomlFrame[];
        try {
          frames = readFrames(text);
        } catch (error) {
          expect(error, JSON.stringify(text)).to.be.instanceOf(TomlSyntaxError);
          expect((error as TomlSyntaxError).reason, JSON.stringify(text))
            .to.be.a('string')
            .and.not.equal('');
          continue;
        }
        if (frames.length > 0) accepted++;
        expect(readFrames(writeDocument(frames)), JSON.stringify(text)).to.deep.equal(frames);
        expect(readFrames(frames.map(writeFrameLine).join(' ')), JSON.stringify(text)).to.deep.equal(frames);
      }
      // The round-trip half of this test only means something if many inputs were accepted.
      expect(accepted).to.be.above(400);
    });
  });
});
