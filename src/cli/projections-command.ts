import type { Command } from 'commander';
import { projections as allProjections } from '../projections/all-projections.js';
import type { Config } from '../platform/config.js';
import type { Position } from '../events/recorded-event.js';
import type { Projection } from '../projections/projection.js';
import { ProjectionRunner } from '../projections/runner.js';
import { savedStatus, type SavedStatus } from '../projections/saved-status.js';
import { buildFromScratch, type ScratchBuild } from '../projections/scratch-build.js';
import type { EventStore } from '../store/ports/event-store.js';
import { MemoryReadStore } from '../store/memory/memory-read-store.js';
import { openReadStore } from '../store/open-stores.js';
import type { ReadStore } from '../store/ports/read-store.js';
import { CliFailure, cliAction } from './cli-failure.js';
import { Output, type OutputOptions } from './output.js';
import { progressBar } from './progress.js';
import { configOf, openLog, withStoreOptions, type StoreOptions } from './store-options.js';
import type { Cell } from './table.js';

interface RebuildFlags extends StoreOptions, OutputOptions {
  inPlace?: boolean;
}

/** Where the embedded read models are, for messages that must say why the CLI cannot reach them. */
const IN_SERVER_MEMORY =
  'the embedded read models live in the memory of the server process, which builds them from the log at every start; ' +
  'a running server shows and rebuilds its own with GET /v1/admin/projections and POST /v1/admin/projections/rebuild';

function selected(name: string | undefined): Projection[] {
  if (name === undefined) return [...allProjections];
  const projection = allProjections.find((each) => each.name === name);
  if (!projection)
    throw new CliFailure(`no projection ${JSON.stringify(name)}; there are ${allProjections.map((each) => each.name).join(', ')}`, 2);
  return [projection];
}

/** Opens the log and the configured read store, runs `work`, and closes both whatever happens. */
async function withStores<T>(config: Config, work: (store: EventStore, readStore: ReadStore | null) => Promise<T>): Promise<T> {
  const store = await openLog(config);
  try {
    // A memory read store opened here would be a new, empty one: not the server's.
    const readStore = config.readStore === 'memory' ? null : await openReadStore(config);
    try {
      return await work(store, readStore);
    } finally {
      await readStore?.close();
    }
  } finally {
    await store.close();
  }
}

/** A row of `projections status`: a checkpoint in a shared read store, or a projection a server keeps in memory. */
type StatusRow = Omit<SavedStatus, 'state'> & { state: SavedStatus['state'] | 'in server memory' };

function printStatus(output: Output, rows: readonly StatusRow[]): void {
  if (output.json) {
    for (const row of rows) output.line(row);
    return;
  }
  const colours = { current: 'green', outdated: 'yellow', 'not built': 'red', 'in server memory': 'dim' } as const;
  const cells = rows.map((row): Cell[] => [
    row.name,
    row.version,
    row.builtVersion,
    row.generation,
    row.position,
    row.head,
    row.lag,
    output.paint(colours[row.state], row.state),
  ]);
  output.table(['projection', 'version', 'built', 'generation', 'checkpoint', 'head', 'lag', 'state'], cells);
  if (rows.some((row) => row.state === 'in server memory')) output.print(`Note: ${IN_SERVER_MEMORY}.`);
}

async function status(flags: StoreOptions & OutputOptions): Promise<void> {
  const output = new Output(flags);
  await withStores(configOf(flags), async (store, readStore) => {
    if (readStore) return printStatus(output, await savedStatus(store, readStore, allProjections));
    const head = await store.headPosition();
    printStatus(
      output,
      allProjections.map(({ name, version }) => ({
        name,
        version,
        builtVersion: null,
        generation: null,
        position: null,
        head,
        lag: null,
        state: 'in server memory',
      })),
    );
  });
}

function printBuild(output: Output, build: ScratchBuild, projections: readonly Projection[]): void {
  const rate = Math.round(build.events / Math.max(build.seconds, 0.001));
  if (output.json) {
    for (const { name, version } of projections) output.line({ type: 'Projection', name, version, documents: build.documents[name] });
    output.line({ type: 'Rebuild', events: build.events, head: build.head, seconds: Number(build.seconds.toFixed(3)), rate });
    return;
  }
  const documents = (name: string): string =>
    Object.entries(build.documents[name] ?? {})
      .map(([collection, count]) => `${collection}: ${count}`)
      .join(', ');
  output.table(
    ['projection', 'version', 'documents'],
    projections.map(({ name, version }) => [name, version, documents(name)]),
  );
  output.print(`Rebuilt from ${build.events} events (log head ${build.head}) in ${build.seconds.toFixed(2)} s: ${rate} events/s.`);
}

/**
 * Rebuilds the read models of a read store on disk (SQLite) or in MongoDB beside the served
 * version and swaps them in, as a server's runner does, under the projection's rebuild lease. Servers
 * already running switch to the new generation within seconds; the old one is dropped once none serves it.
 */
export async function rebuildInPlace(
  store: EventStore,
  readStore: ReadStore,
  name: string | undefined,
  onProgress: (position: Position, head: Position) => void,
): Promise<void> {
  const runner = new ProjectionRunner(store, readStore, allProjections);
  await runner.start();
  try {
    await runner.rebuild(name, onProgress);
  } finally {
    runner.stop();
  }
}

async function rebuild(name: string | undefined, flags: RebuildFlags): Promise<void> {
  const output = new Output(flags);
  const projections = selected(name);
  const config = configOf(flags);
  if (flags.inPlace && config.readStore === 'memory')
    throw new CliFailure(`--in-place needs read models on disk or in MongoDB (read store sqlite or mongodb://...): ${IN_SERVER_MEMORY}`, 2);
  await withStores(config, async (store, readStore) => {
    const progress = progressBar(`rebuilding ${name ?? 'every projection'}`);
    try {
      if (flags.inPlace && readStore) {
        await rebuildInPlace(store, readStore, name, (position, head) => progress.update(position, head));
        progress.stop();
        return printStatus(output, await savedStatus(store, readStore, allProjections));
      }
      const build = await buildFromScratch(store, new MemoryReadStore(), projections, ({ position, head, events }) =>
        progress.update(position, head, events),
      );
      progress.stop();
      printBuild(output, build, projections);
    } finally {
      progress.stop();
    }
  });
}

/** `eschat projections status|rebuild`. */
export function projectionsCommand(program: Command): void {
  const parent = program.command('projections').description('the read models built from the log');
  withStoreOptions(parent.command('status').description("each projection's version, generation, checkpoint and lag"))
    .option('--json', 'JSON lines instead of a table')
    .action(cliAction(status));
  withStoreOptions(
    parent
      .command('rebuild [name]')
      .description(
        "rebuild a projection (or all) from the start of the log into this process's memory and report what came out; " +
          'with --in-place and a MongoDB read store, replace the shared read models beside the served version',
      ),
  )
    .option('--in-place', 'rebuild the shared MongoDB read models themselves (restart the servers afterwards)')
    .option('--json', 'JSON lines instead of a table')
    .action(cliAction(rebuild));
}
