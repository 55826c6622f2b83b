/** What a worker tells its parent about the wrong answers it saw: how many, and the first few. */
export interface ErrorSummary {
  count: number;
  first: string[];
}

const KEPT = 5;

/**
 * The wrong answers one worker saw. Only the first few are kept: a systematic fault repeated
 * on a million messages must neither exhaust memory nor flood the IPC channel.
 */
export class ErrorLog {
  private readonly summary: ErrorSummary = { count: 0, first: [] };

  add(message: string): void {
    this.summary.count += 1;
    if (this.summary.first.length < KEPT) this.summary.first.push(message);
  }

  get count(): number {
    return this.summary.count;
  }

  get snapshot(): ErrorSummary {
    return { count: this.summary.count, first: [...this.summary.first] };
  }
}

/** The errors of all workers as one: total count, and a sample of each worker's first ones. */
export function mergeErrors(summaries: readonly ErrorSummary[]): ErrorSummary {
  return {
    count: summaries.reduce((sum, summary) => sum + summary.count, 0),
    first: summaries.flatMap((summary) => summary.first).slice(0, KEPT),
  };
}

/** `N errors: first; second; ...`, for a failure message; empty without errors. */
export function describeErrors({ count, first }: ErrorSummary): string {
  return count === 0 ? '' : `${count} errors: ${first.join('; ')}`;
}
