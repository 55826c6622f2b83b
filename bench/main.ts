/**
 * `npm run bench -- <name|all> [--json] [--quick] [--profile] [--tls] [--workers <n>]`: the
 * benchmarks of BENCHMARKS.md, each beside its baseline measured in the same run. Exits 1 when
 * a benchmark found a wrong answer (it is named on stderr), whether or not the others ran.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { connectionsBench } from './benches/connections.js';
import { cryptoBench } from './benches/crypto.js';
import { fanoutBench } from './benches/fanout.js';
import { httpBench } from './benches/http.js';
import { latencyBench } from './benches/latency.js';
import { readMarkerBench } from './benches/read-marker.js';
import { replayBench } from './benches/replay.js';
import { scaleBench } from './benches/scale.js';
import { searchBench } from './benches/search.js';
import { startupBench } from './benches/startup.js';
import { throughputBench } from './benches/throughput.js';
import type { BenchOptions } from './harness/bench-options.js';
import type { Figure } from './harness/bench-result.js';
import type { Bench } from './harness/bench.js';
import { summarizeProfiles } from './harness/cpu-profile.js';
import { cacheDir } from './harness/repo-paths.js';
import { printJson, printTable } from './harness/report.js';

const BENCHES: readonly Bench[] = [
  latencyBench,
  throughputBench,
  fanoutBench,
  connectionsBench,
  replayBench,
  startupBench,
  httpBench,
  readMarkerBench,
  searchBench,
];
/**
 * Run only by name, not by `all`: `scale` has a 10-minute budget of its own (BENCHMARKS.md);
 * `crypto` takes 2-4 min (it measures each side twice, alternated).
 */
const APART: readonly Bench[] = [scaleBench, cryptoBench];

interface Flags {
  json?: boolean;
  quick?: boolean;
  profile?: boolean;
  tls?: boolean;
  workers?: number;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError('a positive integer');
  return value;
}

const program = new Command('bench')
  .description('eschat benchmarks (see BENCHMARKS.md and bench/README.md)')
  .addArgument(new Argument('<name>', 'benchmark to run').choices([...[...BENCHES, ...APART].map((bench) => bench.name), 'all']))
  .addOption(new Option('--json', 'one JSON object per figure and line'))
  .addOption(new Option('--quick', 'shorter durations and smaller populations, for development'))
  .addOption(new Option('--profile', 'start eschat with --cpu-prof; summarizes where its time went'))
  .addOption(new Option('--tls', 'HTTPS/WSS for eschat and the relay (default: plain, see README)'))
  .addOption(
    new Option('--workers <n>', 'client worker processes (default: 1 for latency, 2 for throughput and fanout)').argParser(positiveInteger),
  )
  .action(async (name: string, flags: Flags) => {
    const selected = name === 'all' ? BENCHES : [...BENCHES, ...APART].filter((bench) => bench.name === name);
    const failures = await runAll(selected, flags);
    if (failures.length > 0) {
      console.error(`failed: ${failures.join(', ')}`);
      process.exitCode = 1;
    }
  });

/** Runs each benchmark in turn, printing its figures as soon as it is done; returns those that failed. */
async function runAll(benches: readonly Bench[], flags: Flags): Promise<string[]> {
  const failures: string[] = [];
  const profileRoot = flags.profile ? join(cacheDir, 'profiles', new Date().toISOString().replaceAll(':', '-')) : null;
  for (const bench of benches) {
    const profileDir = profileRoot ? join(profileRoot, bench.name) : null;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const options: BenchOptions = { quick: flags.quick ?? false, profileDir, tls: flags.tls ?? false, workers: flags.workers ?? null };
    let figures: Figure[];
    try {
      figures = await bench.run(options);
    } catch (error) {
      failures.push(bench.name);
      console.error(`${bench.name}: FAILED: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (flags.json) printJson(figures);
    else printTable(figures);
    if (profileDir) console.error(summarizeProfiles(profileDir));
  }
  return failures;
}

await program.parseAsync(process.argv);
