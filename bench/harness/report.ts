import Table from 'cli-table3';
import { targetMet, type BenchResult, type Figure } from './bench-result.js';

/** `--json`: one object per line with exactly the keys of the contract. */
export function printJson(figures: readonly Figure[]): void {
  for (const { bench, metric, value, unit, baseline, ratio } of figures) {
    const line: BenchResult = { bench, metric, value, unit, baseline, ratio };
    console.log(JSON.stringify(line));
  }
}

function describeTarget(result: Figure): string {
  const { target } = result;
  if (!target) return '';
  const met = targetMet(result);
  const subject = target.of === 'ratio' ? 'ratio' : result.unit;
  return `${target.op} ${target.limit} ${subject}: ${met === null ? '?' : met ? 'met' : 'MISSED'}`;
}

const show = (value: number | null): string => (value === null ? '' : value.toLocaleString('en-US'));

/** The readable form: one row per figure, with the target it is read against. */
export function printTable(figures: readonly Figure[]): void {
  const table = new Table({ head: ['bench', 'metric', 'value', 'unit', 'baseline', 'ratio', 'target'] });
  for (const result of figures) {
    table.push([
      result.bench,
      result.metric,
      show(result.value),
      result.unit,
      show(result.baseline),
      show(result.ratio),
      describeTarget(result),
    ]);
  }
  console.log(table.toString());
}
