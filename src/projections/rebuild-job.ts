import type { Position } from '../events/recorded-event.js';
import type { ProjectionControl } from './projection-control.js';

/** The rebuild a process is running, or ran last. */
export interface RebuildState {
  projections: string[];
  /** The one being rebuilt now; null once finished. */
  current: string | null;
  position: Position;
  head: Position;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export class RebuildRefused extends Error {
  override readonly name = 'RebuildRefused';
  constructor(readonly code: 'unknown_projection' | 'rebuild_in_progress') {
    super(code);
  }
}

/**
 * One rebuild at a time per process, run in the background: a full rebuild of a large log
 * outlasts any sensible HTTP timeout, so the request that starts it answers at once and
 * `state` reports how far it is.
 */
export class RebuildJob {
  private last: RebuildState | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly control: ProjectionControl) {}

  get state(): RebuildState | null {
    return this.last && { ...this.last, projections: [...this.last.projections] };
  }

  /** Starts rebuilding `name` (or every projection); resolves once it has started. */
  async start(name?: string): Promise<RebuildState> {
    if (this.running) throw new RebuildRefused('rebuild_in_progress');
    const known = (await this.control.status()).map((status) => status.name);
    if (name !== undefined && !known.includes(name)) throw new RebuildRefused('unknown_projection');
    // Checked again: another request may have started one while status() was read.
    if (this.running) throw new RebuildRefused('rebuild_in_progress');
    const state: RebuildState = {
      projections: name === undefined ? known : [name],
      current: null,
      position: 0,
      head: 0,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
    };
    this.last = state;
    this.running = this.run(state).finally(() => (this.running = null));
    return { ...state };
  }

  private async run(state: RebuildState): Promise<void> {
    try {
      for (const name of state.projections) {
        state.current = name;
        await this.control.rebuild(name, (position, head) => Object.assign(state, { position, head }));
      }
    } catch (error) {
      state.error = error instanceof Error ? error.message : String(error);
    } finally {
      state.current = null;
      state.finishedAt = new Date().toISOString();
    }
  }
}
