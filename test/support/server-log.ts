/** The lines of a server's JSON log at level error or above: each one is a bug or an outage. */
export function errorLines(logs: readonly string[]): string[] {
  return logs.flatMap((line) => {
    let entry: { level?: number; msg?: string; err?: { message?: string } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      // stderr output (a crash's stack trace) is not JSON: it counts.
      return line.trim() === '' ? [] : [line.slice(0, 300)];
    }
    return (entry.level ?? 0) >= 50 ? [`${entry.msg ?? ''}: ${entry.err?.message ?? ''}`] : [];
  });
}
