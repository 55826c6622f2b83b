import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, describeConfig, loadConfig, type Config, type LoadConfigInput } from '../../src/platform/config.js';

describe('config', () => {
  let cwd: string;

  beforeEach(() => {
    cwd = mkdtempSync(path.join(tmpdir(), 'eschat-config-'));
  });

  afterEach(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  /** Never reads the real process.env or cwd, so the developer's shell cannot change a result. */
  function load(input: LoadConfigInput = {}): Config {
    return loadConfig({ env: {}, cwd, ...input });
  }

  function problemsOf(input: LoadConfigInput): readonly string[] {
    try {
      load(input);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return expect.fail('expected a ConfigError');
  }

  function writeToml(name: string, text: string): string {
    const file = path.join(cwd, name);
    writeFileSync(file, text);
    return file;
  }

  describe('defaults', () => {
    it('gives the embedded configuration, paths resolved against cwd', () => {
      expect(load()).to.deep.equal({
        eventStore: `sqlite:${path.join(cwd, 'data', 'events.db')}`,
        readStore: 'sqlite',
        durability: 'full',
        dataDir: path.join(cwd, 'data'),
        host: '0.0.0.0',
        port: 8080,
        imPort: 1987,
        publicHost: 'localhost',
        tls: { enabled: true, dir: path.join(cwd, 'priv', 'ssl') },
        admins: [],
        logLevel: 'info',
        limits: {
          bodyBytes: 1024 * 1024,
          uploadBytes: 20 * 1024 * 1024,
          frameBytes: 64 * 1024,
          loginFailures: 10,
          loginWindowSeconds: 600,
          messagesPerSecond: 1000,
          messageBurst: 2000,
          sendBufferBytes: 8 * 1024 * 1024,
          stallSeconds: 30,
          replayWindowSeconds: 0,
          connectionsPerUser: 20,
          routingRooms: 10_000,
          feedDeadSeconds: 120,
          appendTimeoutSeconds: 10,
        },
        allowedOrigins: [],
        presence: { lastSeen: true, expirySeconds: 30 },
        sealWith: 'xchacha20-poly1305',
      });
    });

    it('takes presence settings from the [presence] table and ESCHAT_PRESENCE_*', () => {
      writeToml('eschat.toml', '[presence]\nlast_seen = false\nexpiry_seconds = 12\n');
      expect(load().presence).to.deep.equal({ lastSeen: false, expirySeconds: 12 });
      expect(load({ env: { ESCHAT_PRESENCE_LAST_SEEN: 'on', ESCHAT_PRESENCE_EXPIRY: '3' } }).presence).to.deep.equal({
        lastSeen: true,
        expirySeconds: 3,
      });
      expect(problemsOf({ env: { ESCHAT_PRESENCE_LAST_SEEN: 'maybe' } })).to.deep.equal([
        'ESCHAT_PRESENCE_LAST_SEEN: expected on or off (or true/false, 1/0), got "maybe"',
      ]);
    });

    it('takes the cipher new personal values are sealed with from seal_with and ESCHAT_SEAL_WITH', () => {
      writeToml('eschat.toml', 'seal_with = "aes-256-gcm"\n');
      expect(load().sealWith).to.equal('aes-256-gcm');
      expect(load({ env: { ESCHAT_SEAL_WITH: 'xchacha20-poly1305' } }).sealWith).to.equal('xchacha20-poly1305');
      expect(problemsOf({ env: { ESCHAT_SEAL_WITH: 'none' } })).to.deep.equal([
        'ESCHAT_SEAL_WITH: expected one of xchacha20-poly1305, aes-256-gcm, got "none"',
      ]);
    });

    it('derives the default event store from the data directory', () => {
      const config = load({ env: { ESCHAT_DATA: '/srv/eschat' } });
      expect(config.eventStore).to.equal('sqlite:/srv/eschat/events.db');
    });
  });

  describe('layers', () => {
    const toml = [
      'port = 9000',
      'data_dir = "var"',
      'admins = ["root"]',
      'log_level = "debug"',
      '[tls]',
      'enabled = false',
      '[limits]',
      'body_bytes = 2048',
    ].join('\n');

    it('reads eschat.toml in cwd over the defaults', () => {
      writeToml('eschat.toml', toml);
      const config = load();
      expect(config.port).to.equal(9000);
      expect(config.dataDir).to.equal(path.join(cwd, 'var'));
      expect(config.eventStore).to.equal(`sqlite:${path.join(cwd, 'var', 'events.db')}`);
      expect(config.admins).to.deep.equal(['root']);
      expect(config.logLevel).to.equal('debug');
      expect(config.tls.enabled).to.equal(false);
      expect(config.limits.bodyBytes).to.equal(2048);
      expect(config.limits.uploadBytes).to.equal(20 * 1024 * 1024);
    });

    it('lets the environment override the file, and flags override both', () => {
      writeToml('eschat.toml', toml);
      const env = { ESCHAT_PORT: '9100', ESCHAT_LOG_LEVEL: 'warn', ESCHAT_BODY_LIMIT: '4096' };
      const fromEnv = load({ env });
      expect([fromEnv.port, fromEnv.logLevel, fromEnv.limits.bodyBytes]).to.deep.equal([9100, 'warn', 4096]);
      expect(fromEnv.admins, 'untouched by the environment').to.deep.equal(['root']);

      const fromFlags = load({ env, argv: { port: '9200', logLevel: 'trace', tls: 'on' } });
      expect([fromFlags.port, fromFlags.logLevel, fromFlags.tls.enabled]).to.deep.equal([9200, 'trace', true]);
      expect(fromFlags.limits.bodyBytes, 'no flag for it').to.equal(4096);
    });

    it('reads the explicit config file instead of eschat.toml', () => {
      writeToml('eschat.toml', 'port = 9000');
      writeToml('other.toml', 'port = 7000');
      expect(load({ configFile: 'other.toml' }).port).to.equal(7000);
    });

    it('ignores argv keys that are not configuration flags', () => {
      expect(load({ argv: { config: 'x.toml', json: 'true', port: undefined } }).port).to.equal(8080);
    });

    it('takes every flag by its commander name', () => {
      const config = load({
        argv: {
          eventStore: 'esdb://db:2113?tls=false',
          readStore: 'mongodb://mongo/eschat',
          durability: 'normal',
          dataDir: 'state',
          host: '127.0.0.1',
          port: '9000',
          imPort: '9001',
          publicHost: 'chat.example.com',
          tls: 'off',
          logLevel: 'error',
        },
      });
      expect(config).to.deep.include({
        eventStore: 'esdb://db:2113?tls=false',
        readStore: 'mongodb://mongo/eschat',
        durability: 'normal',
        dataDir: path.join(cwd, 'state'),
        host: '127.0.0.1',
        port: 9000,
        imPort: 9001,
        publicHost: 'chat.example.com',
        logLevel: 'error',
      });
      expect(config.tls.enabled).to.equal(false);
    });

    it('treats an empty environment variable as unset', () => {
      expect(load({ env: { ESCHAT_PORT: '', ESCHAT_READSTORE: '  ' } })).to.deep.include({ port: 8080, readStore: 'sqlite' });
    });

    it('splits comma-separated lists from the environment and normalizes origins', () => {
      const config = load({
        env: { ESCHAT_ADMINS: 'alice, bob,', ESCHAT_ALLOWED_ORIGINS: 'https://Chat.Example.com/, http://localhost:3000' },
      });
      expect(config.admins).to.deep.equal(['alice', 'bob']);
      expect(config.allowedOrigins).to.deep.equal(['https://chat.example.com', 'http://localhost:3000']);
    });

    it('reads the limits from the environment', () => {
      const env = {
        ESCHAT_UPLOAD_LIMIT: '100',
        ESCHAT_FRAME_LIMIT: '200',
        ESCHAT_LOGIN_FAILURES: '3',
        ESCHAT_LOGIN_WINDOW: '60',
        ESCHAT_MESSAGE_RATE: '5',
        ESCHAT_MESSAGE_BURST: '7',
        ESCHAT_SEND_BUFFER: '4096',
        ESCHAT_STALL_TIMEOUT: '9',
        ESCHAT_REPLAY_WINDOW: '3600',
        ESCHAT_CONNECTIONS_PER_USER: '4',
        ESCHAT_ROUTING_ROOMS: '5',
        ESCHAT_FEED_DEAD_SECONDS: '30',
        ESCHAT_APPEND_TIMEOUT: '3',
      };
      expect(load({ env }).limits).to.deep.equal({
        bodyBytes: 1024 * 1024,
        uploadBytes: 100,
        frameBytes: 200,
        loginFailures: 3,
        loginWindowSeconds: 60,
        messagesPerSecond: 5,
        messageBurst: 7,
        sendBufferBytes: 4096,
        stallSeconds: 9,
        replayWindowSeconds: 3600,
        connectionsPerUser: 4,
        routingRooms: 5,
        feedDeadSeconds: 30,
        appendTimeoutSeconds: 3,
      });
    });
  });

  describe('ESCHAT_TLS', () => {
    for (const [text, enabled] of [
      ['off', false],
      ['OFF', false],
      ['false', false],
      ['0', false],
      ['on', true],
      ['1', true],
    ] as const) {
      it(`${text} turns TLS ${enabled ? 'on' : 'off'}`, () => {
        writeToml('eschat.toml', `[tls]\nenabled = ${!enabled}`);
        expect(load({ env: { ESCHAT_TLS: text } }).tls.enabled).to.equal(enabled);
      });
    }

    it('rejects anything else', () => {
      expect(problemsOf({ env: { ESCHAT_TLS: 'maybe' } })).to.deep.equal([
        'ESCHAT_TLS: expected on or off (or true/false, 1/0), got "maybe"',
      ]);
    });
  });

  describe('TLS files', () => {
    it('resolves a certificate and key given together', () => {
      writeFileSync(path.join(cwd, 'cert.pem'), 'x');
      writeFileSync(path.join(cwd, 'key.pem'), 'x');
      writeFileSync(path.join(cwd, 'ca.pem'), 'x');
      const config = load({ env: { ESCHAT_TLS_CERT: 'cert.pem', ESCHAT_TLS_KEY: 'key.pem', ESCHAT_TLS_CA: 'ca.pem' } });
      expect(config.tls).to.deep.include({
        certFile: path.join(cwd, 'cert.pem'),
        keyFile: path.join(cwd, 'key.pem'),
        caFile: path.join(cwd, 'ca.pem'),
      });
    });

    it('refuses a certificate without its key, naming where the certificate came from', () => {
      writeFileSync(path.join(cwd, 'cert.pem'), 'x');
      expect(problemsOf({ env: { ESCHAT_TLS_CERT: 'cert.pem' } })).to.deep.equal([
        'ESCHAT_TLS_CERT: a TLS certificate and its key must be given together; tls.key (ESCHAT_TLS_KEY) is missing',
      ]);
      const file = writeToml('eschat.toml', '[tls]\nkey = "cert.pem"');
      expect(problemsOf({})).to.deep.equal([
        `tls.key in ${file}: a TLS certificate and its key must be given together; tls.cert (ESCHAT_TLS_CERT) is missing`,
      ]);
    });

    it('reports a missing file once, as not found', () => {
      writeFileSync(path.join(cwd, 'cert.pem'), 'x');
      expect(problemsOf({ env: { ESCHAT_TLS_CERT: 'cert.pem', ESCHAT_TLS_KEY: 'nope.pem' } })).to.deep.equal([
        `ESCHAT_TLS_KEY: file not found: ${path.join(cwd, 'nope.pem')}, got "nope.pem"`,
      ]);
    });
  });

  describe('event store', () => {
    it('resolves a relative sqlite path against cwd and keeps an absolute one', () => {
      expect(load({ env: { ESCHAT_EVENTSTORE: 'sqlite:db/events.db' } }).eventStore).to.equal(
        `sqlite:${path.join(cwd, 'db', 'events.db')}`,
      );
      expect(load({ env: { ESCHAT_EVENTSTORE: 'sqlite:/var/lib/eschat/e.db' } }).eventStore).to.equal('sqlite:/var/lib/eschat/e.db');
      writeToml('eschat.toml', 'event_store = "sqlite:./x.db"');
      expect(load().eventStore).to.equal(`sqlite:${path.join(cwd, 'x.db')}`);
    });

    it('keeps an explicit event store when the data directory changes', () => {
      const config = load({ env: { ESCHAT_EVENTSTORE: 'sqlite:/a/e.db', ESCHAT_DATA: '/b' } });
      expect([config.eventStore, config.dataDir]).to.deep.equal(['sqlite:/a/e.db', '/b']);
    });

    it('keeps sqlite::memory: as it is', () => {
      expect(load({ argv: { eventStore: 'sqlite::memory:' } }).eventStore).to.equal('sqlite::memory:');
    });

    for (const url of [
      'esdb://localhost:2113?tls=false',
      'esdb+discover://cluster.local:2113',
      'kurrentdb://a:b@db:2113',
      'kurrentdb+discover://db',
    ]) {
      it(`accepts ${url} unchanged`, () => {
        expect(load({ env: { ESCHAT_EVENTSTORE: url } }).eventStore).to.equal(url);
      });
    }

    it('rejects other schemes, a bare scheme, and sqlite without a path', () => {
      const problems = problemsOf({ env: { ESCHAT_EVENTSTORE: 'postgres://db' }, argv: { eventStore: 'esdb://' } });
      expect(problems).to.have.length(2);
      expect(problems[0]).to.match(
        /^ESCHAT_EVENTSTORE: expected sqlite:<path> or a server URL \(esdb:\/\/\.\.\., .*kurrentdb\+discover:\/\/\.\.\.\), got "postgres:\/\/db"$/,
      );
      expect(problems[1]).to.match(/^--event-store: expected sqlite:<path> or a server URL .*, got "esdb:\/\/"$/);
      expect(problemsOf({ env: { ESCHAT_EVENTSTORE: 'sqlite:' } })[0]).to.match(
        /^ESCHAT_EVENTSTORE: expected sqlite:<path>, e\.g\. sqlite:\.\/data\/events\.db/,
      );
      expect(problemsOf({ env: { ESCHAT_EVENTSTORE: 'sqlite:///x.db' } })[0]).to.match(
        /^ESCHAT_EVENTSTORE: expected sqlite:<path>, e\.g\./,
      );
    });
  });

  describe('read store', () => {
    it('accepts memory, sqlite and MongoDB URLs', () => {
      expect(load({ env: { ESCHAT_READSTORE: 'mongodb+srv://u:p@cluster0.example.net/eschat' } }).readStore).to.equal(
        'mongodb+srv://u:p@cluster0.example.net/eschat',
      );
      expect(load({ argv: { readStore: 'memory' } }).readStore).to.equal('memory');
      expect(load({ env: { ESCHAT_READSTORE: 'sqlite' } }).readStore).to.equal('sqlite');
    });

    it('rejects anything else without printing the password', () => {
      const problems = problemsOf({ env: { ESCHAT_READSTORE: 'mongo://user:hunter2@db/eschat' } });
      expect(problems).to.deep.equal([
        'ESCHAT_READSTORE: expected memory, sqlite or a MongoDB URL (mongodb://..., mongodb+srv://...), got "mongo://user:***@db/eschat"',
      ]);
    });
  });

  describe('errors', () => {
    it('names the environment variable, the reason and the value', () => {
      expect(problemsOf({ env: { ESCHAT_PORT: 'abc' } })).to.deep.equal([
        'ESCHAT_PORT: expected an integer from 0 to 65535 (0: any free port), got "abc"',
      ]);
    });

    it('lists every offending key in one error, from every layer', () => {
      const file = writeToml('eschat.toml', 'port = "8o80"\n[limits]\nbody_bytes = 0');
      let error: unknown;
      try {
        load({ env: { ESCHAT_LOG_LEVEL: 'loud', ESCHAT_ADMINS: 'x' }, argv: { imPort: '70000', durability: 'fast' } });
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(ConfigError);
      const problems = [
        `port in ${file}: expected an integer from 0 to 65535 (0: any free port), got "8o80"`,
        `limits.body_bytes in ${file}: expected an integer of at least 1, got 0`,
        'ESCHAT_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
        '--durability: expected one of full, normal, got "fast"',
        '--im-port: expected an integer from 0 to 65535 (0: any free port), got "70000"',
      ];
      expect((error as ConfigError).problems).to.deep.equal(problems);
      for (const problem of problems) expect((error as ConfigError).message).to.include(problem);
    });

    it('reports a bad file value even when a higher layer overrides it', () => {
      const file = writeToml('eschat.toml', 'port = -1');
      expect(problemsOf({ env: { ESCHAT_PORT: '9000' } })).to.deep.equal([
        `port in ${file}: expected an integer from 0 to 65535 (0: any free port), got -1`,
      ]);
    });

    it('rejects numbers that only coercion would accept', () => {
      for (const text of ['1e3', '0x10', '12.5', '-1']) {
        expect(problemsOf({ env: { ESCHAT_MESSAGE_RATE: text } })).to.deep.equal([
          `ESCHAT_MESSAGE_RATE: expected an integer of at least 1, got ${JSON.stringify(text)}`,
        ]);
      }
    });

    it('rejects wrong TOML types', () => {
      const file = writeToml('eschat.toml', 'allowed_origins = ["https://a.example/path"]\n[tls]\nenabled = "yes"');
      expect(problemsOf({})).to.deep.equal([
        `allowed_origins in ${file}: expected a list of origins like https://chat.example.com (comma-separated in the environment), got ["https://a.example/path"]`,
        `tls.enabled in ${file}: expected on or off (or true/false, 1/0), got "yes"`,
      ]);
    });

    it('refuses the same port for HTTP and IM, except 0 (a free port each)', () => {
      expect(problemsOf({ env: { ESCHAT_PORT: '1987' } })).to.deep.equal([
        'im_port (default): the IM port must differ from the HTTP port (ESCHAT_PORT), both are 1987',
      ]);
      expect(load({ env: { ESCHAT_PORT: '0', ESCHAT_IM_PORT: '0' } })).to.deep.include({ port: 0, imPort: 0 });
    });

    it('refuses a missing explicit config file', () => {
      expect(problemsOf({ configFile: 'missing.toml' })).to.deep.equal([`config file not found: ${path.join(cwd, 'missing.toml')}`]);
    });

    it('reports a TOML syntax error with its position', () => {
      const file = writeToml('eschat.toml', 'port = 8080\nhost = \n');
      const [problem, ...rest] = problemsOf({});
      expect(rest).to.deep.equal([]);
      expect(problem).to.match(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read the config file: .*row 2`));
    });
  });

  describe('unknown TOML keys', () => {
    it('names a misspelt top-level key and lists the known ones', () => {
      const file = writeToml('eschat.toml', 'prot = 9000');
      const [problem] = problemsOf({});
      expect(problem).to.match(
        new RegExp(
          `^unknown key prot in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(expected one of: event_store, .*port.*\\[tls\\], \\[limits\\], \\[presence\\]\\)$`,
        ),
      );
    });

    it('names a misspelt key in a table with its table', () => {
      const file = writeToml('eschat.toml', '[limits]\nbody_byte = 1\n[tls]\ncerf = "x"');
      const problems = problemsOf({});
      expect(problems).to.have.length(2);
      expect(problems[0]).to.include(`unknown key limits.body_byte in ${file} (expected one of: body_bytes, upload_bytes,`);
      expect(problems[1]).to.equal(`unknown key tls.cerf in ${file} (expected one of: enabled, dir, cert, key, ca)`);
    });

    it('refuses a table name used as a value', () => {
      const file = writeToml('eschat.toml', 'tls = true');
      expect(problemsOf({})).to.deep.equal([`tls in ${file}: expected a table ([tls])`]);
    });
  });

  describe('describeConfig', () => {
    it('masks passwords in connection strings and leaves the rest', () => {
      const config = load({
        env: {
          ESCHAT_EVENTSTORE: 'esdb://admin:changeit@db:2113?tls=false',
          ESCHAT_READSTORE: 'mongodb://eschat:s3cr%40t@m1:27017,m2:27017/eschat?authSource=admin&tlsCertificateKeyFilePassword=pw',
        },
      });
      const described = describeConfig(config);
      expect(described.eventStore).to.equal('esdb://admin:***@db:2113?tls=false');
      expect(described.readStore).to.equal(
        'mongodb://eschat:***@m1:27017,m2:27017/eschat?authSource=admin&tlsCertificateKeyFilePassword=***',
      );
      expect(described.port).to.equal(8080);
      expect(described.limits).to.deep.equal(config.limits);
      expect(config.eventStore, 'the config itself is untouched').to.equal('esdb://admin:changeit@db:2113?tls=false');
    });

    it('leaves connection strings without a password as they are', () => {
      for (const url of ['mongodb://m1:27017/eschat', 'mongodb://reader@m1/eschat', 'mongodb://m1/eschat?tls=true']) {
        expect(describeConfig(load({ env: { ESCHAT_READSTORE: url } })).readStore).to.equal(url);
      }
      const esdb = 'esdb://db:2113?tls=false';
      expect(describeConfig(load({ env: { ESCHAT_EVENTSTORE: esdb } })).eventStore).to.equal(esdb);
    });
  });
});
