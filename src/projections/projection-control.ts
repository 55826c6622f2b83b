import type { Position } from '../events/recorded-event.js';
import type { ProjectionStatus } from './runner.js';

/** What an operator does with a process's read models: look at them, rebuild them. The runner is one. */
export interface ProjectionControl {
  status(): Promise<ProjectionStatus[]>;
  /** Rebuilds one projection (or all) from the start of the log, beside the served version. */
  rebuild(name?: string, onProgress?: (position: Position, head: Position) => void): Promise<void>;
}
