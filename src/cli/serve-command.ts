import type { Command } from 'commander';
import { startServer } from '../app.js';
import { ConfigError, describeConfig, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';

/** Flags of `eschat serve`; each overrides the environment and the TOML file. */
const FLAGS: Array<[string, string]> = [
  ['--config <file>', 'TOML configuration file (default: ./eschat.toml when present)'],
  ['--event-store <url>', 'sqlite:<file> or esdb://...'],
  ['--read-store <url>', 'memory or mongodb://...'],
  ['--durability <mode>', 'full or normal'],
  ['--data-dir <dir>', 'data directory'],
  ['--host <host>', 'address to bind'],
  ['--port <port>', 'HTTP(S) port'],
  ['--im-port <port>', 'IM TLS/TCP port'],
  ['--public-host <host>', 'host name announced to IM clients'],
  ['--tls <on|off>', 'HTTPS and TLS on the IM port'],
  ['--log-level <level>', 'fatal, error, warn, info, debug, trace or silent'],
];

export function serveCommand(program: Command): void {
  const command = program.command('serve').description('run the chat server');
  for (const [flag, description] of FLAGS) command.option(flag, description);
  command.action(async (options: Record<string, string | undefined>) => {
    let config;
    try {
      const { config: configFile, ...argv } = options;
      config = loadConfig({ argv, env: process.env, cwd: process.cwd(), ...(configFile ? { configFile } : {}) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`eschat: ${error.message}`);
      process.exit(2);
    }
    const log = createLogger(config.logLevel);
    log.info({ config: describeConfig(config) }, 'starting');
    const server = await startServer(config, log);
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down');
      const deadline = setTimeout(() => process.exit(1), 10_000);
      deadline.unref();
      void server.close().then(() => process.exit(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
