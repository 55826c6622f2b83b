/** Latency samples of one kind, in microseconds. */
export class Samples {
  private readonly values: number[] = [];

  add(micros: number): void {
    this.values.push(micros);
  }

  get count(): number {
    return this.values.length;
  }

  /** The nearest-rank percentile (p in 0..100); NaN without samples. */
  percentile(p: number): number {
    if (this.values.length === 0) return NaN;
    const sorted = Float64Array.from(this.values).sort();
    const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[rank] as number;
  }
}
