import type { Command } from 'commander';
import { ConfigError, describeConfig, loadConfig, type Config } from '../platform/config.js';
import { createLogger, type Logger } from '../platform/logger.js';

/** app.ts's startServer, handed in by main.ts: the CLI sits below the composition root. */
export type StartServer = (config: Config, log: Logger) => Promise<{ close(): Promise<void> }>;

/** Flags of `eschat serve`; each overrides the environment and the TOML file. */
export const FLAGS: Array<[string, string]> = [
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

/** Docker's and Kubernetes' default grace between SIGTERM and SIGKILL is 10 s (Docker) or 30 s: stay within the shorter. */
const SHUTDOWN_DEADLINE_MS = 10_000;

export function serveCommand(program: Command, startServer: StartServer): void {
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
    // Graceful: stop accepting, send real-time clients away with a resume hint, let requests in
    // flight finish, commit pending appends. An orchestrator's kill follows SIGTERM within ~10 s.
    const shutdown = (signal: string) => {
      log.info({ signal }, 'shutting down');
      const deadline = setTimeout(() => {
        log.error('shutdown took over 10 s: exiting anyway');
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS);
      deadline.unref();
      server.close().then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
