import type { Position, RecordedEvent } from '../../events/recorded-event.js';

/**
 * The moment an audit looks at the log from: a global position (everything up to and
 * including it) or a time (everything the log had recorded by then, by the store's own clock,
 * `created`, which is what "the log at that time" means). Null: now.
 */
export type AuditMoment = { position: Position } | { time: Date };

/** `--at` / `?at=`: digits are a position, anything else an ISO-8601 time; null when neither. */
export function parseMoment(text: string): AuditMoment | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { position: Number(trimmed) };
  const time = Date.parse(trimmed);
  return Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}/.test(trimmed) ? null : { time: new Date(time) };
}

/** Whether the log held `event` at `moment`. */
export function heldAt(moment: AuditMoment | null, event: Pick<RecordedEvent, 'position' | 'created'>): boolean {
  if (moment === null) return true;
  return 'position' in moment ? event.position <= moment.position : event.created <= moment.time.getTime();
}

/** The last position worth reading for `moment`: past it, nothing is held. */
export function lastPositionOf(moment: AuditMoment | null): Position {
  return moment !== null && 'position' in moment ? moment.position : Number.MAX_SAFE_INTEGER;
}

/** The moment as JSON and tables show it. */
export function describeMoment(moment: AuditMoment | null): string {
  if (moment === null) return 'now';
  return 'position' in moment ? `position ${moment.position}` : moment.time.toISOString();
}
