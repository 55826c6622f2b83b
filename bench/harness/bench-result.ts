/** One figure of one benchmark, as `--json` prints it. */
export interface BenchResult {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  /** The same figure for the baseline measured in the same run; null when the benchmark has none. */
  baseline: number | null;
  /** value / baseline; null without a baseline. */
  ratio: number | null;
}

/** What BENCHMARKS.md asks of a figure: shown in the table, never a reason to fail. */
export interface Target {
  /** `<=` or `>=`, applied to the value or to the ratio. */
  op: '<=' | '>=';
  limit: number;
  of: 'value' | 'ratio';
}

/** A figure with the target it is read against, if any. */
export interface Figure extends BenchResult {
  target?: Target;
}

/** Rounds to what a measurement on a shared machine can honestly claim. */
function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 1000) / 1000;
}

export function figure(bench: string, metric: string, value: number, unit: string, baseline: number | null, target?: Target): Figure {
  const ratio = baseline === null || baseline === 0 ? null : Math.round((value / baseline) * 1000) / 1000;
  return {
    bench,
    metric,
    value: round(value),
    unit,
    baseline: baseline === null ? null : round(baseline),
    ratio,
    ...(target ? { target } : {}),
  };
}

/** Whether a figure meets its target; null when it has none. */
export function targetMet(result: Figure): boolean | null {
  const { target } = result;
  if (!target) return null;
  const measured = target.of === 'value' ? result.value : result.ratio;
  if (measured === null) return null;
  return target.op === '<=' ? measured <= target.limit : measured >= target.limit;
}

/**
 * A benchmark that found a wrong answer (a message lost or delivered twice, a refusal, a wrong
 * body): its figures are not worth reporting, and the run exits non-zero naming it.
 */
export class BenchFailure extends Error {
  override readonly name = 'BenchFailure';
}
