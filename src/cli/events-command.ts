import { concatMap, filter, from, type Subscription } from 'rxjs';
import type { Command } from 'commander';
import type { StoredEvent } from '../events/eschat-event.js';
import { auditEntries } from '../queries/audit/entry.js';
import { matchesTail, recentEvents, type TailFilter } from '../queries/event-tail.js';
import type { EventStore } from '../store/ports/event-store.js';
import { countArgument, idArgument } from './arguments.js';
import { CliFailure, cliAction } from './cli-failure.js';
import { renderEntryHeader, renderEntryLine } from './entry-table.js';
import { Output, type OutputOptions } from './output.js';
import { configOf, openLog, withStoreOptions, type StoreOptions } from './store-options.js';

interface TailFlags extends StoreOptions, OutputOptions {
  type?: string[];
  stream?: string;
  user?: string;
  lines: string;
  withContent?: boolean;
}

/** `--type A --type B,C`: every type named, however given. */
function collectTypes(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((type) => type.trim())
      .filter((type) => type !== ''),
  ];
}

/** Prints events as entries, in log order, people named from the log. */
function printer(store: EventStore, output: Output, withContent: boolean) {
  return async (events: readonly StoredEvent[]): Promise<void> => {
    for (const entry of await auditEntries(store, events, { withContent })) {
      if (output.json) output.line(entry);
      else output.print(renderEntryLine(entry, output.paint));
    }
  };
}

/** Resolves on Ctrl-C (or SIGTERM): the way a tail ends, and a clean one. */
function interruption(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

async function tail(flags: TailFlags): Promise<void> {
  // Listened for before anything is printed: a Ctrl-C right after the first lines ends it cleanly too.
  const interrupted = interruption();
  const output = new Output(flags);
  const tailFilter: TailFilter = {
    ...(flags.type ? { types: flags.type } : {}),
    ...(flags.stream ? { streamPrefix: flags.stream } : {}),
    ...(flags.user ? { userId: idArgument(flags.user, '--user') } : {}),
  };
  const count = countArgument(flags.lines, '--lines');
  const store = await openLog(configOf(flags));
  // The embedded store polls for other processes' appends on a timer that does not keep a
  // process alive (a server must be able to exit): the tail holds the process open itself.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    const print = printer(store, output, flags.withContent === true);
    const head = await store.headPosition();
    if (!output.json) output.print(renderEntryHeader(output.paint));
    await print(await recentEvents(store, tailFilter, count, head));
    let live: Subscription | undefined;
    const failed = new Promise<never>((_resolve, reject) => {
      // From the head the recent events were read up to: nothing is missed or shown twice.
      live = store
        .subscribe(head)
        .pipe(
          filter((event) => matchesTail(event, tailFilter)),
          concatMap((event) => from(print([event]))),
        )
        .subscribe({
          error: (error: unknown) =>
            reject(new CliFailure(`reading the log failed: ${error instanceof Error ? error.message : String(error)}`)),
        });
    });
    try {
      await Promise.race([interrupted, failed]);
    } finally {
      live?.unsubscribe();
    }
  } finally {
    clearInterval(keepAlive);
    await store.close();
  }
}

/** `eschat events tail`: the recent events, then live ones until Ctrl-C. */
export function eventsCommand(program: Command): void {
  const events = program.command('events').description('the event log, as it is written');
  withStoreOptions(events.command('tail').description('print the recent events, then follow new ones until Ctrl-C'))
    .option('--type <type>', 'only events of this type (repeatable, or comma-separated)', collectTypes)
    .option('--stream <prefix>', 'only events of streams starting with this, e.g. room-3 or messages-3-')
    .option('--user <id>', 'only events by or about this user')
    .option('-n, --lines <count>', 'how many recent events to print first', '20')
    .option('--json', 'JSON lines instead of a table')
    .option('--with-content', 'include message texts and contact greetings')
    .action(cliAction(tail));
}
