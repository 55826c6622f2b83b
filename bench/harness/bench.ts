import type { BenchOptions } from './bench-options.js';
import type { Figure } from './bench-result.js';

/** One benchmark of BENCHMARKS.md: runs the subject and its baseline, checks the answers, reports figures. */
export interface Bench {
  name: string;
  /** Throws BenchFailure when what it measured was wrong. */
  run(options: BenchOptions): Promise<Figure[]>;
}
