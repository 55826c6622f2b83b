/**
 * Configuration: defaults < TOML file (`eschat.toml` or `--config FILE`) < environment
 * (`ESCHAT_*`) < command-line flags. A bad value stops the start with a message naming it.
 */

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import TOML from '@iarna/toml';
import { z } from 'zod';

export interface Config {
  /** `sqlite:./data/events.db` (embedded) or `esdb://...` / `kurrentdb://...`. */
  eventStore: string;
  /** `sqlite` (embedded, `<dataDir>/read-models.db`: the default), `memory` (embedded, rebuilt at every start) or `mongodb://...`. */
  readStore: string;
  /** `full`: the SQLite log is synced to disk before an append resolves; `normal`: not. */
  durability: 'full' | 'normal';
  /** Data directory for the embedded stores and media. */
  dataDir: string;
  /** Host the HTTP(S) server binds. */
  host: string;
  port: number;
  imPort: number;
  /** Host name announced to IM clients by /server/login. */
  publicHost: string;
  tls: {
    enabled: boolean;
    /** Where development certificates are created on first start. */
    dir: string;
    certFile?: string;
    keyFile?: string;
    caFile?: string;
  };
  /** Logins allowed on /v1/admin. */
  admins: string[];
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  limits: {
    bodyBytes: number;
    uploadBytes: number;
    frameBytes: number;
    loginFailures: number;
    loginWindowSeconds: number;
    messagesPerSecond: number;
    messageBurst: number;
    /** Real-time connections one user may hold at once (IM and v1 sockets, every device); past it a new one is refused. */
    connectionsPerUser: number;
    /** Bytes waiting to be sent to one connection past which it is too slow and is closed. */
    sendBufferBytes: number;
    /** Seconds a connection past its send buffer bound may take nothing before it is dropped. */
    stallSeconds: number;
    /** How far back (seconds) a reconnecting device is replayed; older is announced as a gap. 0: no limit. */
    replayWindowSeconds: number;
    /** Rooms whose members real-time delivery keeps in memory (the least recently used are read again from their streams when needed). */
    routingRooms: number;
    /** Seconds the live feed may keep failing to resubscribe before liveness fails (the orchestrator restarts the process). */
    feedDeadSeconds: number;
    /** Seconds an EventStoreDB append may take per try (two tries, same event ids) before it fails. */
    appendTimeoutSeconds: number;
  };
  /** Origins allowed to open browser WebSockets; empty means any. */
  allowedOrigins: string[];
  presence: {
    /** Whether contacts see when an offline user was last seen; off: `last_seen` is always null and no last-seen is kept. */
    lastSeen: boolean;
    /** Seconds a process's word that a user is connected lasts unless renewed (every third of it): how soon a dead process's users go offline. */
    expirySeconds: number;
  };
  /** When set, `GET /metrics` answers only `Authorization: Bearer <token>`; else it is open. */
  metricsToken?: string;
  /**
   * The master key that wraps each person's data key (base64 of 32 bytes, ESCHAT_MASTER_KEY).
   * Absent: the embedded default makes one on first start in `<dataDir>/master.key` (0600).
   */
  masterKey?: string;
  /**
   * The cipher new personal values are sealed with (ESCHAT_SEAL_WITH): `xchacha20-poly1305`, or
   * `aes-256-gcm`, which earlier versions read too, for the time of a rolling upgrade. Both are read.
   */
  sealWith: 'xchacha20-poly1305' | 'aes-256-gcm';
}

/**
 * A bad value, unknown key or unreadable config file. The message lists every problem, each
 * prefixed with where the value came from (`ESCHAT_PORT`, `port in /etc/eschat.toml`, `--port`),
 * so one failed start shows everything to fix.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export interface LoadConfigInput {
  /**
   * Parsed command-line options, as commander gives them (camelCase). The flags read are
   * `--event-store`, `--read-store`, `--durability`, `--data-dir`, `--host`, `--port`,
   * `--im-port`, `--public-host`, `--tls on|off` and `--log-level`. Other keys are ignored,
   * because commander passes every option of the command (`--config`, `--json`, ...).
   */
  argv?: Record<string, string | undefined>;
  /** Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Relative paths, in any layer, are resolved against it. Default: `process.cwd()`. */
  cwd?: string;
  /** A TOML file that must exist; without it, `eschat.toml` in `cwd` is read if present. */
  configFile?: string;
}

/** Every setting as one flat key (the limits as they are): the unit of layering, validation and error messages. */
type Limits = Config['limits'];

interface Settings extends Limits {
  eventStore: string;
  readStore: string;
  durability: Config['durability'];
  dataDir: string;
  host: string;
  port: number;
  imPort: number;
  publicHost: string;
  tlsEnabled: boolean;
  tlsDir: string;
  tlsCert: string;
  tlsKey: string;
  tlsCa: string;
  admins: string[];
  logLevel: Config['logLevel'];
  allowedOrigins: string[];
  presenceLastSeen: boolean;
  presenceExpirySeconds: number;
  metricsToken: string;
  masterKey: string;
  sealWith: Config['sealWith'];
}

type Key = keyof Settings;

/** The settings without a fixed default: the event store derives from dataDir, TLS files are optional. */
type Defaults = Omit<Settings, 'eventStore' | 'tlsCert' | 'tlsKey' | 'tlsCa' | 'metricsToken' | 'masterKey'>;

const MiB = 1024 * 1024;

function defaults(cwd: string): Defaults {
  return {
    readStore: 'sqlite',
    durability: 'full',
    sealWith: 'xchacha20-poly1305',
    dataDir: path.resolve(cwd, 'data'),
    host: '0.0.0.0',
    port: 8080,
    imPort: 1987,
    publicHost: 'localhost',
    tlsEnabled: true,
    tlsDir: path.resolve(cwd, 'priv/ssl'),
    admins: [],
    logLevel: 'info',
    bodyBytes: MiB,
    uploadBytes: 20 * MiB,
    frameBytes: 64 * 1024,
    loginFailures: 10,
    loginWindowSeconds: 600,
    messagesPerSecond: 1000,
    messageBurst: 2000,
    connectionsPerUser: 20,
    sendBufferBytes: 8 * MiB,
    stallSeconds: 30,
    replayWindowSeconds: 0,
    routingRooms: 10_000,
    feedDeadSeconds: 120,
    appendTimeoutSeconds: 10,
    allowedOrigins: [],
    presenceLastSeen: true,
    presenceExpirySeconds: 30,
  };
}

/** How a setting's raw value (a string from env or flags, any TOML value from the file) is checked. */
interface Kind<T> {
  schema: z.ZodType<T>;
  /** Completes "expected ..." in error messages; refinements with a sharper reason say their own. */
  expected: string;
}

interface Field<T> extends Kind<T> {
  /** Dotted TOML key: `port`, `tls.cert`. */
  toml: string;
  env: string;
  /** commander's camelCase option name, for the settings that have a flag. */
  flag?: string;
  /** The valid value of the highest layer that gave one, with its source; set by loadConfig. */
  accepted?: { value: T; source: string };
}

/** Built for each load, as it also carries that load's accepted values. */
type Fields = { [K in Key]: Field<Settings[K]> };

/**
 * Digits only, rather than z.coerce.number(): coercion would accept "", "1e3", "0x1f" and
 * TOML `true` as numbers, hiding typos.
 */
function integer(min: number, max: number = Number.MAX_SAFE_INTEGER): Kind<number> {
  const digits = z.string().trim().regex(/^\d+$/).transform(Number);
  return {
    schema: z.union([z.number(), digits]).pipe(z.int().min(min).max(max)),
    expected: max === Number.MAX_SAFE_INTEGER ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`,
  };
}

/** 0 asks the OS for a free port: what tests and side-by-side instances use. */
function port(): Kind<number> {
  return { ...integer(0, 65535), expected: 'an integer from 0 to 65535 (0: any free port)' };
}

function onOff(): Kind<boolean> {
  const text = z.stringbool({ truthy: ['on', 'true', '1'], falsy: ['off', 'false', '0'], case: 'insensitive' });
  return { schema: z.union([z.boolean(), text]), expected: 'on or off (or true/false, 1/0)' };
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T): Kind<T[number]> {
  return { schema: z.string().trim().pipe(z.enum(values)), expected: `one of ${values.join(', ')}` };
}

function hostName(): Kind<string> {
  return {
    schema: z
      .string()
      .trim()
      .regex(/^[^\s/]+$/),
    expected: 'a host name or IP address',
  };
}

function directory(cwd: string): Kind<string> {
  return {
    schema: z
      .string()
      .trim()
      .min(1)
      .transform((dir) => path.resolve(cwd, dir)),
    expected: 'a directory path',
  };
}

/** Checked at load time so a typo in a path fails the start with its source, not a bare ENOENT later. */
function existingFile(cwd: string): Kind<string> {
  const schema = z
    .string()
    .trim()
    .min(1)
    .transform((file, ctx) => {
      const resolved = path.resolve(cwd, file);
      if (!existsSync(resolved)) ctx.addIssue(`file not found: ${resolved}`);
      return resolved;
    });
  return { schema, expected: 'a file path' };
}

/** A TOML array, or a comma-separated string from the environment. */
function list<T>(item: z.ZodType<T>, expected: string): Kind<T[]> {
  const commaSeparated = z.string().transform((text) =>
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );
  return {
    schema: z.union([z.array(z.unknown()), commaSeparated]).pipe(z.array(item)),
    expected: `a list of ${expected} (comma-separated in the environment)`,
  };
}

const login = z.string().trim().min(1);

/**
 * Normalized to the form browsers send in the Origin header (lowercase host, no trailing
 * slash), so the WebSocket check can compare strings.
 */
const origin = z
  .string()
  .trim()
  .refine((text) => {
    if (!URL.canParse(text)) return false;
    const url = new URL(text);
    return /^https?:$/.test(url.protocol) && url.href === `${url.origin}/`;
  })
  .transform((text) => new URL(text).origin);

const EVENT_STORE_SERVERS = ['esdb://', 'esdb+discover://', 'kurrentdb://', 'kurrentdb+discover://'];
const READ_STORE_SERVERS = ['mongodb://', 'mongodb+srv://'];
const EVENT_STORE_EXPECTED = `sqlite:<path> or a server URL (${EVENT_STORE_SERVERS.map((s) => `${s}...`).join(', ')})`;

/** True when `text` starts with one of the URL schemes and names something after it. */
function isServerUrl(text: string, schemes: readonly string[]): boolean {
  const scheme = schemes.find((prefix) => text.toLowerCase().startsWith(prefix));
  return scheme !== undefined && text.length > scheme.length;
}

function eventStore(cwd: string): Kind<string> {
  const schema = z
    .string()
    .trim()
    .transform((text, ctx) => {
      if (/^sqlite:/i.test(text)) return sqliteLocation(text.slice('sqlite:'.length), cwd, ctx);
      if (!isServerUrl(text, EVENT_STORE_SERVERS)) ctx.addIssue(`expected ${EVENT_STORE_EXPECTED}`);
      return text;
    });
  return { schema, expected: EVENT_STORE_EXPECTED };
}

/** `sqlite:` plus a file path; relative paths are resolved here so the store needs no cwd. */
function sqliteLocation(file: string, cwd: string, ctx: z.RefinementCtx): string {
  if (file === '' || file.startsWith('//')) {
    ctx.addIssue('expected sqlite:<path>, e.g. sqlite:./data/events.db or sqlite:/var/lib/eschat/events.db');
    return file;
  }
  // SQLite's own name for a database that lives only in memory, not a file name.
  if (file === ':memory:') return 'sqlite::memory:';
  return `sqlite:${path.resolve(cwd, file)}`;
}

function readStore(): Kind<string> {
  const expected = `memory, sqlite or a MongoDB URL (${READ_STORE_SERVERS.map((s) => `${s}...`).join(', ')})`;
  const schema = z
    .string()
    .trim()
    .refine((text) => text === 'memory' || text === 'sqlite' || isServerUrl(text, READ_STORE_SERVERS));
  return { schema, expected };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function fields(cwd: string): Fields {
  return {
    eventStore: { toml: 'event_store', env: 'ESCHAT_EVENTSTORE', flag: 'eventStore', ...eventStore(cwd) },
    readStore: { toml: 'read_store', env: 'ESCHAT_READSTORE', flag: 'readStore', ...readStore() },
    durability: { toml: 'durability', env: 'ESCHAT_DURABILITY', flag: 'durability', ...oneOf(['full', 'normal']) },
    dataDir: { toml: 'data_dir', env: 'ESCHAT_DATA', flag: 'dataDir', ...directory(cwd) },
    host: { toml: 'host', env: 'ESCHAT_HOST', flag: 'host', ...hostName() },
    port: { toml: 'port', env: 'ESCHAT_PORT', flag: 'port', ...port() },
    imPort: { toml: 'im_port', env: 'ESCHAT_IM_PORT', flag: 'imPort', ...port() },
    publicHost: { toml: 'public_host', env: 'ESCHAT_PUBLIC_HOST', flag: 'publicHost', ...hostName() },
    tlsEnabled: { toml: 'tls.enabled', env: 'ESCHAT_TLS', flag: 'tls', ...onOff() },
    tlsDir: { toml: 'tls.dir', env: 'ESCHAT_TLS_DIR', ...directory(cwd) },
    tlsCert: { toml: 'tls.cert', env: 'ESCHAT_TLS_CERT', ...existingFile(cwd) },
    tlsKey: { toml: 'tls.key', env: 'ESCHAT_TLS_KEY', ...existingFile(cwd) },
    tlsCa: { toml: 'tls.ca', env: 'ESCHAT_TLS_CA', ...existingFile(cwd) },
    admins: { toml: 'admins', env: 'ESCHAT_ADMINS', ...list(login, 'logins') },
    logLevel: { toml: 'log_level', env: 'ESCHAT_LOG_LEVEL', flag: 'logLevel', ...oneOf(LOG_LEVELS) },
    bodyBytes: { toml: 'limits.body_bytes', env: 'ESCHAT_BODY_LIMIT', ...integer(1) },
    uploadBytes: { toml: 'limits.upload_bytes', env: 'ESCHAT_UPLOAD_LIMIT', ...integer(1) },
    frameBytes: { toml: 'limits.frame_bytes', env: 'ESCHAT_FRAME_LIMIT', ...integer(1) },
    loginFailures: { toml: 'limits.login_failures', env: 'ESCHAT_LOGIN_FAILURES', ...integer(1) },
    loginWindowSeconds: { toml: 'limits.login_window_seconds', env: 'ESCHAT_LOGIN_WINDOW', ...integer(1) },
    messagesPerSecond: { toml: 'limits.messages_per_second', env: 'ESCHAT_MESSAGE_RATE', ...integer(1) },
    messageBurst: { toml: 'limits.message_burst', env: 'ESCHAT_MESSAGE_BURST', ...integer(1) },
    connectionsPerUser: { toml: 'limits.connections_per_user', env: 'ESCHAT_CONNECTIONS_PER_USER', ...integer(1) },
    sendBufferBytes: { toml: 'limits.send_buffer_bytes', env: 'ESCHAT_SEND_BUFFER', ...integer(1024) },
    stallSeconds: { toml: 'limits.stall_seconds', env: 'ESCHAT_STALL_TIMEOUT', ...integer(1) },
    replayWindowSeconds: { toml: 'limits.replay_window_seconds', env: 'ESCHAT_REPLAY_WINDOW', ...integer(0) },
    routingRooms: { toml: 'limits.routing_rooms', env: 'ESCHAT_ROUTING_ROOMS', ...integer(1) },
    feedDeadSeconds: { toml: 'limits.feed_dead_seconds', env: 'ESCHAT_FEED_DEAD_SECONDS', ...integer(1) },
    appendTimeoutSeconds: { toml: 'limits.append_timeout_seconds', env: 'ESCHAT_APPEND_TIMEOUT', ...integer(1) },
    allowedOrigins: {
      toml: 'allowed_origins',
      env: 'ESCHAT_ALLOWED_ORIGINS',
      ...list(origin, 'origins like https://chat.example.com'),
    },
    presenceLastSeen: { toml: 'presence.last_seen', env: 'ESCHAT_PRESENCE_LAST_SEEN', ...onOff() },
    presenceExpirySeconds: { toml: 'presence.expiry_seconds', env: 'ESCHAT_PRESENCE_EXPIRY', ...integer(1, 3600) },
    metricsToken: { toml: 'metrics_token', env: 'ESCHAT_METRICS_TOKEN', schema: z.string().trim().min(1), expected: 'a token' },
    masterKey: {
      toml: 'master_key',
      env: 'ESCHAT_MASTER_KEY',
      schema: z
        .string()
        .trim()
        .refine((text) => /^[A-Za-z0-9+/]{43}=$/.test(text) && Buffer.from(text, 'base64').length === 32),
      expected: 'the base64 of 32 random bytes (openssl rand -base64 32)',
    },
    sealWith: { toml: 'seal_with', env: 'ESCHAT_SEAL_WITH', ...oneOf(['xchacha20-poly1305', 'aes-256-gcm']) },
  };
}

/** One raw value offered by one layer, with the name the user knows it by. */
interface Entry {
  key: Key;
  raw: unknown;
  source: string;
}

function keys(specs: Fields): Key[] {
  return Object.keys(specs) as Key[];
}

/**
 * An empty variable counts as unset: compose files and shells pass `ESCHAT_X=${X:-}` for
 * settings the operator did not give, which must mean "the default", not "invalid".
 */
function environmentEntries(specs: Fields, env: NodeJS.ProcessEnv): Entry[] {
  return keys(specs).flatMap((key) => {
    const name = specs[key].env;
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? [] : [{ key, raw, source: name }];
  });
}

function flagEntries(specs: Fields, argv: Record<string, string | undefined>): Entry[] {
  return keys(specs).flatMap((key) => {
    const flag = specs[key].flag;
    const raw = flag === undefined ? undefined : argv[flag];
    return flag === undefined || raw === undefined ? [] : [{ key, raw, source: `--${kebab(flag)}` }];
  });
}

function kebab(camel: string): string {
  return camel.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The explicit file, or `eschat.toml` in cwd if there is one; undefined when there is none. */
function configFilePath(input: LoadConfigInput, cwd: string, problems: string[]): string | undefined {
  if (input.configFile === undefined) {
    const implicit = path.join(cwd, 'eschat.toml');
    return existsSync(implicit) ? implicit : undefined;
  }
  const explicit = path.resolve(cwd, input.configFile);
  if (existsSync(explicit)) return explicit;
  problems.push(`config file not found: ${explicit}`);
  return undefined;
}

function readToml(file: string, problems: string[]): Record<string, unknown> | undefined {
  try {
    return TOML.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    // @iarna/toml's message starts with the reason and position, then quotes the source lines.
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '').replace(/:$/, '') : String(error);
    problems.push(`${file}: cannot read the config file: ${reason}`);
    return undefined;
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** The TOML tables; every other key is a top-level setting. */
const TABLES = ['tls', 'limits', 'presence'];

/** Unknown keys are problems: a misspelt key would otherwise be silently ignored. */
function fileEntries(specs: Fields, file: string, document: Record<string, unknown>, problems: string[]): Entry[] {
  const byToml = new Map(keys(specs).map((key) => [specs[key].toml, key]));
  const known = (prefix: string): string =>
    [...byToml.keys()]
      .filter((name) => (prefix === '' ? !name.includes('.') : name.startsWith(prefix)))
      .map((name) => name.slice(prefix.length))
      .concat(prefix === '' ? TABLES.map((table) => `[${table}]`) : [])
      .join(', ');

  const entriesOf = (table: Record<string, unknown>, prefix: string): Entry[] =>
    Object.entries(table).flatMap(([name, raw]): Entry[] => {
      const dotted = `${prefix}${name}`;
      if (prefix === '' && TABLES.includes(name)) {
        if (isTable(raw)) return entriesOf(raw, `${name}.`);
        problems.push(`${name} in ${file}: expected a table ([${name}])`);
        return [];
      }
      const key = byToml.get(dotted);
      if (key !== undefined) return [{ key, raw, source: `${dotted} in ${file}` }];
      problems.push(`unknown key ${dotted} in ${file} (expected one of: ${known(prefix)})`);
      return [];
    });
  return entriesOf(document, '');
}

/** Shows a rejected value in a message, with any password in it masked. */
function show(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(maskSecrets(raw));
  if (typeof raw === 'bigint') return String(raw);
  const printable = (_key: string, value: unknown): unknown =>
    typeof value === 'string' ? maskSecrets(value) : typeof value === 'bigint' ? String(value) : value;
  return JSON.stringify(raw, printable) ?? String(raw);
}

/** Validates one layer's value; a valid value replaces the lower layers' one. False when rejected. */
function accept<K extends Key>(key: K, entry: Entry, specs: Fields, problems: string[]): boolean {
  const field = specs[key];
  const result = field.schema.safeParse(entry.raw, { error: () => `expected ${field.expected}` });
  if (result.success) {
    field.accepted = { value: result.data, source: entry.source };
    return true;
  }
  // A union or a list can report the same reason more than once.
  const reasons = [...new Set(result.error.issues.map((issue) => issue.message))];
  problems.push(`${entry.source}: ${reasons.join('; ')}, got ${show(entry.raw)}`);
  return false;
}

function valueOf<K extends Key>(specs: Fields, key: K): Settings[K] | undefined {
  return specs[key].accepted?.value;
}

function sourceOf(specs: Fields, key: Key): string {
  return specs[key].accepted?.source ?? `${specs[key].toml} (default)`;
}

/**
 * Rules between settings; each problem names where the offending value came from. A rule
 * involving a rejected value is skipped: its problem is already reported, and the rule would
 * only add a confusing second one (a key file not found is not a "missing" key).
 */
function crossCheck(specs: Fields, rejected: Set<Key>, settings: Defaults, problems: string[]): void {
  const involves = (...names: Key[]): boolean => names.some((name) => rejected.has(name));
  const cert = specs.tlsCert.accepted;
  const key = specs.tlsKey.accepted;
  if (!involves('tlsCert', 'tlsKey') && (cert === undefined) !== (key === undefined)) {
    const [given, missing] = cert === undefined ? (['tlsKey', 'tlsCert'] as const) : (['tlsCert', 'tlsKey'] as const);
    problems.push(
      `${sourceOf(specs, given)}: a TLS certificate and its key must be given together;` +
        ` ${specs[missing].toml} (${specs[missing].env}) is missing`,
    );
  }
  if (!involves('port', 'imPort') && settings.port !== 0 && settings.port === settings.imPort) {
    problems.push(
      `${sourceOf(specs, 'imPort')}: the IM port must differ from the HTTP port` +
        ` (${sourceOf(specs, 'port')}), both are ${settings.port}`,
    );
  }
}

function toConfig(settings: Defaults, specs: Fields): Config {
  const tls: Config['tls'] = { enabled: settings.tlsEnabled, dir: settings.tlsDir };
  const certFile = valueOf(specs, 'tlsCert');
  const keyFile = valueOf(specs, 'tlsKey');
  const caFile = valueOf(specs, 'tlsCa');
  if (certFile !== undefined) tls.certFile = certFile;
  if (keyFile !== undefined) tls.keyFile = keyFile;
  if (caFile !== undefined) tls.caFile = caFile;
  const metricsToken = valueOf(specs, 'metricsToken');
  const masterKey = valueOf(specs, 'masterKey');
  return {
    eventStore: valueOf(specs, 'eventStore') ?? `sqlite:${path.join(settings.dataDir, 'events.db')}`,
    readStore: settings.readStore,
    durability: settings.durability,
    dataDir: settings.dataDir,
    host: settings.host,
    port: settings.port,
    imPort: settings.imPort,
    publicHost: settings.publicHost,
    tls,
    admins: settings.admins,
    logLevel: settings.logLevel,
    limits: {
      bodyBytes: settings.bodyBytes,
      uploadBytes: settings.uploadBytes,
      frameBytes: settings.frameBytes,
      loginFailures: settings.loginFailures,
      loginWindowSeconds: settings.loginWindowSeconds,
      messagesPerSecond: settings.messagesPerSecond,
      messageBurst: settings.messageBurst,
      connectionsPerUser: settings.connectionsPerUser,
      sendBufferBytes: settings.sendBufferBytes,
      stallSeconds: settings.stallSeconds,
      replayWindowSeconds: settings.replayWindowSeconds,
      routingRooms: settings.routingRooms,
      feedDeadSeconds: settings.feedDeadSeconds,
      appendTimeoutSeconds: settings.appendTimeoutSeconds,
    },
    allowedOrigins: settings.allowedOrigins,
    presence: { lastSeen: settings.presenceLastSeen, expirySeconds: settings.presenceExpirySeconds },
    ...(metricsToken === undefined ? {} : { metricsToken }),
    ...(masterKey === undefined ? {} : { masterKey }),
    sealWith: settings.sealWith,
  };
}

/**
 * The effective configuration: defaults < TOML file < environment < flags. Every layer is
 * validated, including values a higher layer overrides, so a typo in the file is reported
 * even on a run that happens to override it. Throws ConfigError listing every problem.
 */
export function loadConfig(input: LoadConfigInput = {}): Config {
  const cwd = path.resolve(input.cwd ?? process.cwd());
  const specs = fields(cwd);
  const problems: string[] = [];
  const file = configFilePath(input, cwd, problems);
  const document = file === undefined ? undefined : readToml(file, problems);
  const entries = [
    ...(file === undefined || document === undefined ? [] : fileEntries(specs, file, document, problems)),
    ...environmentEntries(specs, input.env ?? process.env),
    ...flagEntries(specs, input.argv ?? {}),
  ];
  const rejected = new Set<Key>();
  for (const entry of entries) {
    if (!accept(entry.key, entry, specs, problems)) rejected.add(entry.key);
  }
  const settings: Defaults = { ...defaults(cwd) };
  for (const key of Object.keys(settings) as (keyof Defaults)[]) assign(settings, key, valueOf(specs, key));
  crossCheck(specs, rejected, settings, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return toConfig(settings, specs);
}

function assign<K extends keyof Defaults>(settings: Defaults, key: K, value: Defaults[K] | undefined): void {
  if (value !== undefined) settings[key] = value;
}

/**
 * Masks the password of a connection string (`mongodb://user:***@host`) and query parameters
 * that carry secrets (`tlsCertificateKeyFilePassword=***`). It errs towards masking: the
 * credentials end at the last `@` before the query, so an unencoded `@` or `/` in a password
 * stays hidden too.
 */
function maskSecrets(text: string): string {
  const authority = text.indexOf('://') + '://'.length;
  if (authority < '://'.length) return text;
  const queryAt = text.slice(authority).search(/[?#]/);
  const end = queryAt < 0 ? text.length : authority + queryAt;
  const at = text.lastIndexOf('@', end - 1);
  const colon = text.indexOf(':', authority);
  const masked = at >= authority && colon >= 0 && colon < at ? `${text.slice(0, colon + 1)}***${text.slice(at)}` : text;
  return masked.replace(/([?&][^=&#]*(?:pass|secret|token)[^=&#]*=)[^&#]*/gi, '$1***');
}

/** The effective configuration for the startup log, with passwords in connection strings masked. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    ...config,
    eventStore: maskSecrets(config.eventStore),
    readStore: maskSecrets(config.readStore),
    tls: { ...config.tls },
    admins: [...config.admins],
    limits: { ...config.limits },
    allowedOrigins: [...config.allowedOrigins],
    presence: { ...config.presence },
    ...(config.metricsToken === undefined ? {} : { metricsToken: '***' }),
    ...(config.masterKey === undefined ? {} : { masterKey: '***' }),
  };
}
