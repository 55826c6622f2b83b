import { gzipSync } from 'node:zlib';
import type { Random } from '../codecs/im/random.js';
import {
  HOSTILE_JSON_VALUES,
  HOSTILE_SEGMENTS,
  HOSTILE_TEXTS,
  INVALID_UTF8,
  chance,
  deeplyNested,
  randomBytes,
  truncated,
} from './hostile-values.js';
import { PNG } from './media.js';
import { fillPath, type TableRoute } from './route-table.js';

/** What exists on the server, so that some inputs get past validation into the handlers. */
export interface FuzzTargets {
  token: string;
  userIds: readonly number[];
  roomIds: readonly number[];
  mediaIds: readonly string[];
  /** The JSON and form body limit the server was started with. */
  bodyBytes: number;
}

export interface FuzzRequest {
  strategy: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Every field name either dialect reads, in a body or a form. */
const FIELDS = [
  'login',
  'password',
  'device',
  'ask',
  'users',
  'key',
  'user_id',
  'name',
  'members',
  'members[]',
  'text',
  'client_id',
  'phone',
  'id',
  'g_key',
  'to',
  'g_id',
  'kind',
  'since',
];
const QUERY_KEYS = ['q', 'before', 'limit', 'since', 'at', 'with_content', 'session_id', 'cursor'];
const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'text/plain',
  'application/octet-stream',
  'application/toml',
];
const WEIRD_CONTENT_TYPES = [
  'application/json; charset=utf-16',
  'application/json; charset=klingon',
  'application/x-www-form-urlencoded; charset=ebcdic',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'multipart/mixed; boundary=x',
  'image/png',
  '*/*',
  'application/json, text/html',
  ';;;',
];

type Body = { type: string; bytes: Buffer };

/** What a strategy changes of a normal request. */
type Damage = { method?: string; path?: string; headers?: Record<string, string>; body?: Body };

/** A value a field could plausibly hold (an id that exists, a text) or a hostile one. */
function fieldValue(random: Random, targets: FuzzTargets): unknown {
  switch (random.int(6)) {
    case 0:
      return random.pick(targets.userIds);
    case 1:
      return random.pick(targets.roomIds);
    case 2:
      return JSON.parse(random.pick(HOSTILE_JSON_VALUES)) as unknown;
    case 3:
      return [random.pick(targets.userIds), { id: random.pick(targets.userIds) }];
    default:
      return random.pick(HOSTILE_TEXTS);
  }
}

function someFields(random: Random, targets: FuzzTargets): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (let i = random.int(5); i >= 0; i--) fields[random.pick(FIELDS)] = fieldValue(random, targets);
  return fields;
}

const json = (value: unknown): Body => ({ type: 'application/json', bytes: Buffer.from(JSON.stringify(value)) });

function form(fields: Record<string, unknown>): Body {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields))
    for (const each of [value].flat()) params.append(key, typeof each === 'string' ? each : JSON.stringify(each));
  return { type: 'application/x-www-form-urlencoded', bytes: Buffer.from(params.toString()) };
}

/** The body a client of the route's dialect would send, with hostile values in it. */
function dialectBody(random: Random, route: TableRoute, targets: FuzzTargets): Body {
  const fields = someFields(random, targets);
  if (route.dialect === 'v1' && !route.path.endsWith('/media')) return json(fields);
  if (!chance(random, 40)) return form(fields);
  const parts: Record<string, string | Buffer> = {};
  for (const [key, value] of Object.entries(fields)) parts[key] = typeof value === 'string' ? value : JSON.stringify(value);
  parts[random.pick(['file', 'audio', 'video', 'image', 'filename'])] = chance(random, 50) ? PNG : randomBytes(random, random.int(300));
  return multipartBody(parts, 'fuzz-boundary');
}

function multipartBody(parts: Record<string, string | Buffer>, boundary: string): Body {
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(parts)) {
    const file = Buffer.isBuffer(value) ? `; filename="${name}.bin"\r\nContent-Type: application/octet-stream` : '';
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file}\r\n\r\n`),
      Buffer.from(value),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { type: `multipart/form-data; boundary=${boundary}`, bytes: Buffer.concat(chunks) };
}

/** Multipart that is wrong in one of the ways parsers trip on. */
function multipartGarbage(random: Random): Body {
  const boundary = 'garbage';
  const part = (headers: string, content: string | Buffer) =>
    Buffer.concat([Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.from(content), Buffer.from('\r\n')]);
  const variants: Array<() => Buffer> = [
    () => part('Content-Disposition: form-data; name="image"; filename="a.png"', PNG), // no closing boundary
    () => Buffer.concat([part('Content-Type: text/plain', 'no disposition'), Buffer.from(`--${boundary}--\r\n`)]),
    () =>
      Buffer.concat([
        part('Content-Disposition: form-data; name="image"; filename="../../../etc/passwd"', PNG),
        Buffer.from(`--${boundary}--\r\n`),
      ]),
    () =>
      Buffer.concat([
        part('Content-Disposition: form-data; name="image"; filename="\u202e長🙂.png"', PNG),
        Buffer.from(`--${boundary}--\r\n`),
      ]),
    () =>
      Buffer.concat([
        part('Content-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Transfer-Encoding: quoted-printable', PNG),
        Buffer.from(`--${boundary}--\r\n`),
      ]),
    () =>
      Buffer.concat([
        part('Content-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Transfer-Encoding: base64', '!!!not base64'),
        Buffer.from(`--${boundary}--\r\n`),
      ]),
    () => Buffer.concat([part(`Content-Disposition: form-data; name="${'n'.repeat(20_000)}"`, 'x'), Buffer.from(`--${boundary}--\r\n`)]),
    () =>
      Buffer.concat([part('Content-Disposition: form-data; name="image"; filename="empty.png"', ''), Buffer.from(`--${boundary}--\r\n`)]),
    () =>
      Buffer.concat(
        Array.from({ length: 50 }, (_, i) => part(`Content-Disposition: form-data; name="f${i}"; filename="${i}"`, 'x')).concat(
          Buffer.from(`--${boundary}--\r\n`),
        ),
      ),
    () => Buffer.concat([Buffer.from(`--${boundary}\r\n\r\n\r\n--${boundary}--`), randomBytes(random, 64)]),
    () => randomBytes(random, 512),
  ];
  return { type: `multipart/form-data; boundary=${boundary}`, bytes: random.pick(variants)() };
}

const bombs = new Map<number, Buffer>();

/** A few kilobytes of gzip that inflate to `size` bytes; made once, it takes a while. */
function gzipBomb(size: number): Buffer {
  const bomb = bombs.get(size) ?? gzipSync(Buffer.alloc(size, 0x61));
  bombs.set(size, bomb);
  return bomb;
}

/** Each way a request can be wrong; a strategy returns what it changes of a normal request. */
const STRATEGIES: Record<string, (random: Random, route: TableRoute, targets: FuzzTargets) => Damage> = {
  'hostile fields': (random, route, targets) => ({ body: dialectBody(random, route, targets) }),
  'random bytes': (random) => ({ body: { type: random.pick(CONTENT_TYPES), bytes: randomBytes(random, random.int(2048)) } }),
  'truncated body': (random, route, targets) => {
    const body = dialectBody(random, route, targets);
    return { body: { ...body, bytes: Buffer.from(truncated(random, body.bytes.toString('latin1')), 'latin1') } };
  },
  'deep nesting': (random) => {
    const nested = deeplyNested(random, 1 + random.int(50_000));
    return {
      body: chance(random, 50)
        ? { type: 'application/json', bytes: Buffer.from(nested) }
        : json({ text: JSON.parse(deeplyNested(random, 500)) as unknown, users: nested }),
    };
  },
  'huge string': (random, _route, targets) => {
    const size = random.pick([targets.bodyBytes - 200, targets.bodyBytes + 1, targets.bodyBytes * 2]);
    const field = random.pick(FIELDS);
    // Written out directly: encoding a megabyte through JSON.stringify or URLSearchParams is slow.
    if (chance(random, 50)) return { body: { type: 'application/json', bytes: Buffer.from(`{"${field}":"${'x'.repeat(size)}"}`) } };
    return {
      body: { type: 'application/x-www-form-urlencoded', bytes: Buffer.from(`${field}=${'%E9%95%B7'.repeat(Math.ceil(size / 9))}`) },
    };
  },
  'invalid UTF-8': (random, route) => {
    const [before, after] =
      route.dialect === 'v1' ? ['{"text":"a', 'b","login":"x","password":"y","name":"n"}'] : ['name=a', 'b&text=c&ask=d&phone=1'];
    return {
      body: {
        type: route.dialect === 'v1' ? 'application/json' : 'application/x-www-form-urlencoded',
        bytes: Buffer.concat([Buffer.from(before), random.pick(INVALID_UTF8), Buffer.from(after)]),
      },
    };
  },
  'wrong content type': (random, route, targets) => ({
    body: { ...dialectBody(random, route, targets), type: random.pick([...CONTENT_TYPES, ...WEIRD_CONTENT_TYPES]) },
  }),
  'duplicated keys': (random, route, targets) => {
    const value = () => String(random.pick(targets.userIds));
    if (route.dialect === 'v1')
      return {
        body: {
          type: 'application/json',
          bytes: Buffer.from(`{"text":"a","text":${value()},"users":[],"users":{"id":1},"name":"x","name":["y"]}`),
        },
      };
    return {
      body: {
        type: 'application/x-www-form-urlencoded',
        bytes: Buffer.from(`to=${value()}&to=${value()}&to[]=x&name=a&name=b&members[]=1&members=2&members[5000]=3&g_id=1&g_id[a]=2`),
      },
    };
  },
  'multipart garbage': (random) => ({ body: multipartGarbage(random) }),
  'hostile path': (random, route) => ({
    path: fillPath(route.path, () => random.pick(HOSTILE_SEGMENTS)) + random.pick(['', '/', '//', '/..', '/%2e', '?']),
  }),
  'hostile query': (random, route, targets) => {
    const pairs = Array.from(
      { length: 1 + random.int(4) },
      () =>
        `${random.pick(QUERY_KEYS)}${random.pick(['', '[]', '[a]'])}=${random.pick([...HOSTILE_SEGMENTS, String(random.pick(targets.roomIds))])}`,
    );
    return { path: `${fillPath(route.path, () => String(random.pick(targets.roomIds)))}?${pairs.join('&')}` };
  },
  'hostile credentials': (random, route, targets) => {
    const token = random.pick([
      `${targets.token}x`,
      targets.token.toUpperCase(),
      'x'.repeat(300),
      '',
      '%E0%A4%A',
      `${targets.token}; token=other`,
      'Bearer',
    ]);
    const headers = random.pick<Record<string, string>>([
      { 'x-session-id': token },
      { cookie: `token=${token}; token=${targets.token}` },
      { authorization: `Bearer ${token}` },
      { authorization: `Basic ${token}` },
      { cookie: token },
    ]);
    return { headers, body: dialectBody(random, route, targets) };
  },
  'content encoding': (random, route, targets) => {
    const body = dialectBody(random, route, targets);
    const variants = [() => randomBytes(random, 200), () => gzipBomb(targets.bodyBytes * 3), () => gzipSync(body.bytes)];
    const bytes = random.pick(variants)();
    return {
      headers: { 'content-encoding': random.pick(['gzip', 'deflate', 'br', 'x-unknown', 'gzip, gzip']) },
      body: { type: body.type, bytes },
    };
  },
  'unexpected method': (random) => ({ method: random.pick(['PATCH', 'OPTIONS', 'HEAD', 'PUT', 'DELETE', 'POST']) }),
};

/** The strategies, for counting what was tried. */
export const FUZZ_STRATEGIES: readonly string[] = Object.keys(STRATEGIES);

/**
 * One malformed request for a route: its path filled with ids that exist, the fuzzer's session
 * (mostly), and one strategy's damage.
 */
export function fuzzRequest(random: Random, route: TableRoute, targets: FuzzTargets): FuzzRequest {
  const strategy = random.pick(FUZZ_STRATEGIES);
  const idFor = (name: string) =>
    String(
      name === 'id' && route.path.includes('/media')
        ? random.pick(targets.mediaIds)
        : name === 'name'
          ? `room-${random.pick(targets.roomIds)}`
          : random.pick([...targets.userIds, ...targets.roomIds]),
    );
  const damage = STRATEGIES[strategy]!(random, route, targets);
  // Logging out would end the fuzzer's own session: that route is tried without one.
  const signedIn = route.key !== 'POST /v1/logout' && chance(random, 85);
  const credentials: Record<string, string> = signedIn
    ? route.dialect === 'v1'
      ? { 'x-session-id': targets.token }
      : { cookie: `token=${targets.token}` }
    : {};
  const headers: Record<string, string> = { ...credentials, ...damage.headers };
  if (damage.body) Object.assign(headers, { 'content-type': damage.body.type, 'content-length': String(damage.body.bytes.length) });
  return {
    strategy,
    method: damage.method ?? route.method,
    path: damage.path ?? fillPath(route.path, idFor),
    headers,
    ...(damage.body ? { body: damage.body.bytes } : {}),
  };
}
