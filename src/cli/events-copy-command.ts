import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { CopyConflict, copyEvents, type CopyProgress } from '../store/copy-events.js';
import type { EventStore } from '../store/ports/event-store.js';
import { copyKeys } from '../store/crypto/copy-keys.js';
import { EncryptingEventStore } from '../store/crypto/encrypting-event-store.js';
import { masterKeyFile } from '../store/crypto/master-key.js';
import { openAdapter, openPersonKeys } from '../store/open-stores.js';
import { CliFailure, cliAction } from './cli-failure.js';
import { Output, type OutputOptions } from './output.js';
import { progressBar } from './progress.js';
import { configOf, openLog, withStoreOptions, type StoreOptions } from './store-options.js';

interface CopyFlags extends StoreOptions, OutputOptions {
  to: string;
  keysTo?: string;
  encrypt?: boolean;
}

/**
 * Where the copy's keys go: `--keys-to` (a data directory, or a MongoDB URL), else the
 * directory of a SQLite target. The copy shares the source's master key (the configured one,
 * or the data directory's `master.key`, copied beside the keys): keys travel wrapped, and the
 * pseudonyms of reservation streams stay the same.
 */
function keysTargetOf(flags: CopyFlags, to: string): { dataDir: string; readStore: string } {
  const keysTo = flags.keysTo;
  if (keysTo !== undefined && /^mongodb(\+srv)?:\/\//i.test(keysTo)) return { dataDir: process.cwd(), readStore: keysTo };
  if (keysTo !== undefined) return { dataDir: resolve(keysTo), readStore: 'sqlite' };
  if (to.startsWith('sqlite:')) return { dataDir: dirname(to.slice('sqlite:'.length)), readStore: 'sqlite' };
  throw new CliFailure("--keys-to: name where the copy keeps its people's keys (a data directory or a mongodb:// URL)", 2);
}

/** The source's master key file beside the copy's keys, unless the master key is configured. */
function shareMasterKey(sourceDir: string, targetDir: string, configured: boolean): void {
  if (configured) return;
  const source = masterKeyFile(sourceDir);
  const target = masterKeyFile(targetDir);
  mkdirSync(targetDir, { recursive: true });
  if (!existsSync(target)) copyFileSync(source, target);
  else if (readFileSync(target, 'utf8').trim() !== readFileSync(source, 'utf8').trim()) {
    throw new CliFailure(`${target} holds another master key than the log being copied`);
  }
}

const TARGET = /^(sqlite:.+|esdb(\+discover)?:\/\/.+|kurrentdb(\+discover)?:\/\/.+)$/i;

/** The target as the event store openers take it: a SQLite path resolved against the working directory. */
function targetOf(to: string): string {
  if (!TARGET.test(to)) throw new CliFailure(`--to: expected esdb://..., kurrentdb://... or sqlite:<file>, got ${JSON.stringify(to)}`, 2);
  return /^sqlite:/i.test(to) ? `sqlite:${resolve(to.slice('sqlite:'.length))}` : to;
}

async function copy(flags: CopyFlags): Promise<void> {
  const output = new Output(flags);
  const config = configOf(flags);
  const to = targetOf(flags.to);
  if (to === config.eventStore) throw new CliFailure('--to names the log being copied', 2);
  // Adapters, not upcasting stores: the copy carries every event exactly as it was stored
  // (sealed values sealed), unless --encrypt seals what an older log kept in clear.
  const sourceKeys = await openPersonKeys(config);
  const keysTarget = keysTargetOf(flags, to);
  const adapter = await openLog(config, openAdapter);
  const source = flags.encrypt === true ? new EncryptingEventStore(adapter, sourceKeys) : adapter;
  let target: EventStore | undefined;
  const bar = progressBar('copying');
  try {
    if (keysTarget.readStore === 'sqlite') shareMasterKey(config.dataDir, keysTarget.dataDir, config.masterKey !== undefined);
    const targetKeys = await openPersonKeys({ ...keysTarget, masterKey: config.masterKey });
    // Keys first: a copy interrupted after them reads what it has; erasures are carried before the events they shred.
    try {
      await copyKeys(sourceKeys.store, targetKeys.store);
    } finally {
      if (flags.encrypt !== true) await targetKeys.store.close();
    }
    const targetAdapter = await openAdapter({ eventStore: to, durability: config.durability });
    target = flags.encrypt === true ? new EncryptingEventStore(targetAdapter, targetKeys, { sealWith: config.sealWith }) : targetAdapter;
    const done = await copyEvents(source, target, (progress) =>
      bar.update(progress.position, progress.head, progress.copied + progress.skipped),
    );
    bar.stop();
    report(output, done);
  } catch (error) {
    bar.stop();
    if (error instanceof CopyConflict) throw new CliFailure(`the target is not a copy of this log: ${error.message}`);
    throw error;
  } finally {
    // Closing the encrypting source closes its key store; the bare adapter leaves it to us.
    await source.close();
    if (source === adapter) await sourceKeys.store.close();
    await target?.close();
  }
}

/** The outcome: a line on stderr for people (stdout stays clean), or JSON on stdout with --json. */
function report(output: Output, done: CopyProgress): void {
  if (output.json) output.line({ copied: done.copied, skipped: done.skipped, position: done.position });
  else console.error(`eschat: copied ${done.copied} events, ${done.skipped} already in the target, up to position ${done.position}`);
}

/**
 * `eschat events copy --to <url>`: the configured log (`--event-store`, `--data-dir`,
 * `--config`, as `serve` takes them), in order, into another event store: how an embedded
 * installation moves to EventStoreDB. Resumable: run it again to copy what is missing.
 */
export function eventsCopyCommand(program: Command): void {
  const events = program.commands.find((command) => command.name() === 'events');
  if (events === undefined) throw new Error('the `events` command group must be registered before `events copy`');
  withStoreOptions(events.command('copy').description('copy the event log, in order, into another event store; run again to resume'))
    .requiredOption('--to <url>', 'the target: esdb://..., kurrentdb://... or sqlite:<file>')
    .option(
      '--keys-to <dir|url>',
      "where the copy's people's keys go: a data directory or a mongodb:// URL (default: a SQLite target's directory)",
    )
    .option('--encrypt', 'seal the personal data an older log kept in clear, as the copy is written (README, "Erasure")')
    .option('--json', 'print the outcome as JSON on stdout')
    .action(cliAction(copy));
}
