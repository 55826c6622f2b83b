import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../platform/config.js';
import type { EventStore } from '../store/ports/event-store.js';
import { openEventStore } from '../store/open-stores.js';
import { CliFailure } from './cli-failure.js';
import { FLAGS } from './serve-command.js';

/** The flags of `eschat serve` that say where the stores are: the read-side commands take the same. */
const STORE_FLAGS = ['--config', '--event-store', '--read-store', '--data-dir'];

export interface StoreOptions {
  config?: string;
  eventStore?: string;
  readStore?: string;
  dataDir?: string;
}

export function withStoreOptions(command: Command): Command {
  for (const [flag, description] of FLAGS) if (STORE_FLAGS.includes(flag.split(' ')[0] ?? '')) command.option(flag, description);
  return command;
}

/** The configuration as `eschat serve` would load it with the same file, environment and flags. */
export function configOf(options: StoreOptions): Config {
  const { config: configFile, eventStore, readStore, dataDir } = options;
  return loadConfig({
    argv: { eventStore, readStore, dataDir },
    env: process.env,
    cwd: process.cwd(),
    ...(configFile ? { configFile } : {}),
  });
}

/**
 * The configured log, for reading. A SQLite file that is not there is an error, not a new
 * empty log: an audit of a mistyped data directory must not answer "nothing happened".
 * `open` is openAdapter where the events are wanted exactly as stored (a copy), not upcast.
 */
export async function openLog(config: Config, open: (config: Config) => Promise<EventStore> = openEventStore): Promise<EventStore> {
  if (config.eventStore.startsWith('sqlite:')) {
    const file = config.eventStore.slice('sqlite:'.length);
    if (file === ':memory:') throw new CliFailure('the event store sqlite::memory: lives inside one server process; name a file', 2);
    if (!existsSync(file)) throw new CliFailure(`no event log at ${file} (see --data-dir, --event-store, ESCHAT_DATA)`, 2);
  }
  return open(config);
}
