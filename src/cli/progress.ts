import { SingleBar } from 'cli-progress';

/** How far a long operation is: positions in the log, and events handled when they are counted. */
export interface Progress {
  update(position: number, head: number, events?: number): void;
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A progress bar with rate and time left, on stderr, and only at a terminal: stdout stays
 * clean for tables and JSON lines, and a log file gets no carriage-return noise. The rate is
 * in events when they are counted, else in log positions (EventStoreDB's are not event counts).
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silent;
  const bar = new SingleBar({
    stream,
    format: `${label} [{bar}] {percentage}% | position {value}/{total} | {rate} | {eta_formatted} left`,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  });
  const started = performance.now();
  let active = false;
  return {
    update(position, head, events) {
      const seconds = Math.max((performance.now() - started) / 1000, 0.001);
      const rate = events === undefined ? `${Math.round(position / seconds)} positions/s` : `${Math.round(events / seconds)} events/s`;
      // An empty log still draws a full bar rather than dividing by zero.
      const total = Math.max(head, 1);
      if (!active) bar.start(total, 0, { rate });
      active = true;
      bar.setTotal(total);
      bar.update(Math.min(position, total), { rate });
    },
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}
