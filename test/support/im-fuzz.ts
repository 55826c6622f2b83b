import type { Random } from '../codecs/im/random.js';
import { HOSTILE_TEXTS, chance, deeplyNested, randomText } from './hostile-values.js';

/** Who exists, so that some frames get past validation into the handlers. */
export interface ImFuzzTargets {
  self: { id: number; token: string };
  userIds: readonly number[];
  /** Groups the fuzzer is in, is not in, and that do not exist. */
  groupIds: readonly number[];
  frameBytes: number;
}

/** One input for an IM connection: TOML text (or bytes), and what it tries. */
export interface ImInput {
  kind: string;
  text: string;
}

/** A TOML string literal of a text, escaped as a careful client would. */
export function tomlString(text: string): string {
  return JSON.stringify(text).replace(/\\u([0-9a-f]{4})/gi, (escape, hex: string) => (/^d[89a-f]/i.test(hex) ? '\\uFFFD' : escape));
}

/** Values of the wrong type, out of range, unterminated or nested too deep, as TOML text. */
function hostileValue(random: Random, targets: ImFuzzTargets): string {
  return random.pick([
    () => tomlString(random.pick(HOSTILE_TEXTS)),
    () => String(random.pick(targets.userIds)),
    () =>
      random.pick([
        '0',
        '-1',
        '1.5',
        '1e300',
        'inf',
        'nan',
        '99999999999999999999',
        '0x7fffffffffffffff',
        'true',
        '"2"',
        '[2]',
        '{ a = 1 }',
        '1979-05-27T07:32:00Z',
      ]),
    () =>
      random.pick(['"unterminated', '"bad \\q escape"', '"\\ud800"', "'literal'", '"""multi\nline"""', "'''raw\\n'''", '', '=', '"a" "b"']),
    () =>
      deeplyNested(random, 1 + random.int(60))
        .replace(/"a":/g, 'a = ')
        .replace(/\{/g, '{ ')
        .replace(/\}/g, ' }'),
    () => tomlString('x'.repeat(random.int(targets.frameBytes))),
  ])();
}

/** Frames after login: messages, acks and requests that are wrong in one way each. */
const LIVE_INPUTS: Record<string, (random: Random, targets: ImFuzzTargets, id: string) => string> = {
  'message with a hostile field': (random, targets, id) => {
    const fields: Record<string, () => string> = {
      id: () => (chance(random, 70) ? `"${id}"` : hostileValue(random, targets)),
      c: () => (chance(random, 50) ? tomlString(random.pick(HOSTILE_TEXTS)) : hostileValue(random, targets)),
      to: () => (chance(random, 50) ? String(random.pick(targets.userIds)) : hostileValue(random, targets)),
      t: () => random.pick(['"text"', '"image"', '"TEXT"', '1', hostileValue(random, targets)]),
    };
    const keys = Object.keys(fields).filter(() => chance(random, 80));
    return `[[m]] ${keys.map((key) => `${key} = ${fields[key]!()}`).join(' ')}`;
  },
  'group message with a hostile field': (random, targets, id) =>
    `[[gm]] id = "${id}" c = ${tomlString(random.pick(HOSTILE_TEXTS))} g_id = ${chance(random, 70) ? String(random.pick(targets.groupIds)) : hostileValue(random, targets)}`,
  'acknowledgement of nothing': (random, targets) =>
    `[[a]] id = ${hostileValue(random, targets)}${chance(random, 50) ? ` cursor = ${hostileValue(random, targets)}` : ''}`,
  'login again': (random, targets) =>
    `[[r]] id = "again" t = "login" [r.user] id = ${targets.self.id} d = ${tomlString(random.pick(HOSTILE_TEXTS))} token = "${targets.self.token}"`,
  'unknown frame': (random) =>
    random.pick([
      '[[zz]] id = "u"',
      '[[]] id = 1',
      '[[m.x]] id = 1',
      '[m] id = 1',
      '[[ m ]] id = "s" c = "x"',
      '[["m"]] id = 1',
      '[[r]] t = "logout"',
      '[[n]] id = 1',
    ]),
  'prototype keys': (random) =>
    random.pick([
      '[[m]] __proto__ = 1 id = "p"',
      '[[m]] constructor = { prototype = { x = 1 } }',
      '[[a]] "" = 1',
      '[[m]] id = "d" id = "e"',
      '[[m]] a.b.c = 1 id = "f"',
    ]),
  'many frames in one': (random) => Array.from({ length: 50 + random.int(300) }, (_, i) => `[[a]] id = "many_${i}"`).join('\n'),
  'garbage text': (random) => randomText(random, 1 + random.int(400)),
  'control characters': (random) =>
    random.pick([
      '[[m]] id = "n" c = "a\u0000b" to = 1',
      '\ufeff[[a]] id = "bom"',
      '[[a]] id = "crlf"\r\n[[a]] id = "x"\r\n',
      '[[a]]\tid\t=\t"tab"',
      '\u0000\u0001\u0002',
    ]),
};

/** Inputs before login: frames of other kinds, and logins of every wrong shape. */
const LOGIN_INPUTS: Record<string, (random: Random, targets: ImFuzzTargets) => string> = {
  'frame before login': (random) =>
    random.pick(['[[m]] id = "early" c = "x" to = 1', '[[gm]] id = "early" c = "x" g_id = 1', '[[a]] id = "early"', '[[zz]] id = 1']),
  'login without a user': () => '[[r]] id = "l" t = "login"',
  'login with a user of the wrong type': (random) => `[[r]] id = "l" t = "login" user = ${random.pick(['"me"', '[1, 2]', '1', 'true'])}`,
  'login without a field': (random, targets) => {
    const fields = [`id = ${targets.self.id}`, 'd = "fuzz"', `token = "${targets.self.token}"`];
    fields.splice(random.int(3), 1);
    return `[[r]] id = "l" t = "login" [r.user] ${fields.join(' ')}`;
  },
  'login with a hostile field': (random, targets) =>
    `[[r]] id = "l" t = ${random.pick(['"login"', '"LOGIN"', '1'])} [r.user] id = ${chance(random, 50) ? hostileValue(random, targets) : targets.self.id} d = ${hostileValue(random, targets)} token = ${chance(random, 30) ? `"${targets.self.token}"` : hostileValue(random, targets)}`,
  'garbage before login': (random) => randomText(random, 1 + random.int(200)).replace(/[\r\n]/g, ' '),
};

export const LIVE_KINDS: readonly string[] = Object.keys(LIVE_INPUTS);
export const LOGIN_KINDS: readonly string[] = Object.keys(LOGIN_INPUTS);

export function liveInput(random: Random, targets: ImFuzzTargets, id: string): ImInput {
  const kind = random.pick(LIVE_KINDS);
  return { kind, text: LIVE_INPUTS[kind]!(random, targets, id) };
}

/** One line: before login, an input must be a single frame so that its fate is known. */
export function loginInput(random: Random, targets: ImFuzzTargets): ImInput {
  const kind = random.pick(LOGIN_KINDS);
  return { kind, text: LOGIN_INPUTS[kind]!(random, targets).replace(/\n/g, ' ') };
}
