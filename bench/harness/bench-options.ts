/** What every benchmark is run with, from the command line. */
export interface BenchOptions {
  /** Shorter durations and smaller populations, for developing the harness: figures are not comparable. */
  quick: boolean;
  /** Starts eschat servers with `--cpu-prof` into this directory; null when not profiling. */
  profileDir: string | null;
  /** HTTPS and WSS for eschat and the relay alike; plain by default (see bench/README.md). */
  tls: boolean;
  /** Worker processes the IM clients of latency, throughput and fanout are spread over; null for each benchmark's own default. */
  workers: number | null;
}

/** The worker processes a benchmark's clients run in: `--workers`, else the benchmark's default. */
export function workerCount(options: BenchOptions, byDefault: number): number {
  return options.workers ?? byDefault;
}

/** `full` when measuring, `quick` with --quick. */
export function pick<T>(options: BenchOptions, full: T, quick: T): T {
  return options.quick ? quick : full;
}
