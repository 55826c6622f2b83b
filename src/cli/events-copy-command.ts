import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CopyConflict, copyEvents, type CopyProgress } from '../store/copy-events.js';
import type { EventStore } from '../store/ports/event-store.js';
import { openAdapter } from '../store/open-stores.js';
import { CliFailure, cliAction } from './cli-failure.js';
import { Output, type OutputOptions } from './output.js';
import { progressBar } from './progress.js';
import { configOf, openLog, withStoreOptions, type StoreOptions } from './store-options.js';

interface CopyFlags extends StoreOptions, OutputOptions {
  to: string;
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
  // Adapters, not upcasting stores: the copy carries every event exactly as it was stored.
  const source = await openLog(config, openAdapter);
  let target: EventStore | undefined;
  const bar = progressBar('copying');
  try {
    target = await openAdapter({ eventStore: to, durability: config.durability });
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
    await source.close();
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
    .option('--json', 'print the outcome as JSON on stdout')
    .action(cliAction(copy));
}
