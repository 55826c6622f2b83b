import type { AuditEntry } from '../queries/audit/entry.js';
import { renderLine, type Cell } from './table.js';
import type { Paint, Style } from './terminal-style.js';

export const ENTRY_HEAD = ['pos', 'time', 'stream', 'event', 'from', 'what'] as const;

/** The column widths of a tail, where rows are printed one at a time; the last one takes what it needs. */
const LINE_WIDTHS = [9, 25, 30, 25, 22];

/** Event types coloured by aggregate, so a long timeline can be skimmed. */
function styleOf(type: string): Style {
  if (type.startsWith('Session')) return 'cyan';
  if (type.startsWith('Contact')) return 'magenta';
  if (type.startsWith('Room') || type === 'DirectRoomClaimed') return 'yellow';
  if (type.startsWith('Message') || type.startsWith('Media')) return 'green';
  return 'blue';
}

/** Where an event came from: the device and address of the command that recorded it. */
function origin(entry: AuditEntry): Cell {
  if (entry.device === null && entry.address === null) return null;
  return [entry.device, entry.address].filter((part) => part !== null).join(' @ ');
}

function entryCells(entry: AuditEntry, paint: Paint): Cell[] {
  return [entry.position, entry.at, entry.stream, paint(styleOf(entry.type), entry.type), origin(entry), entry.summary];
}

export function entryRows(entries: readonly AuditEntry[], paint: Paint): Cell[][] {
  return entries.map((entry) => entryCells(entry, paint));
}

export function renderEntryHeader(paint: Paint): string {
  return renderLine(
    ENTRY_HEAD.map((title) => paint('bold', title)),
    LINE_WIDTHS,
  );
}

export function renderEntryLine(entry: AuditEntry, paint: Paint): string {
  return renderLine(entryCells(entry, paint), LINE_WIDTHS);
}
