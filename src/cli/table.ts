import Table from 'cli-table3';
import type { Paint } from './terminal-style.js';

export type Cell = string | number | null;

const show = (cell: Cell): string => (cell === null ? '-' : String(cell));

/** No rule between rows: a long timeline stays one screen of rows, not two. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/**
 * Rows drawn at once: cli-table3 draws a whole table in one call, and past about a hundred
 * thousand rows that call overflows the stack (an audit of a busy room has more).
 */
const ROWS_PER_PART = 1000;

const STYLE = { head: [], border: [] };

/**
 * Rows under bold headers, in one aligned box, as text to print part after part. A long table
 * is drawn a thousand rows at a time with the same column widths (measured on every part
 * first), and the borders between parts left out, so it reads as one box.
 */
export function* tableParts(head: readonly string[], rows: readonly (readonly Cell[])[], paint: Paint): Generator<string> {
  // cli-table3 colours headers itself unless told not to; the paint decides instead.
  const title = head.map((each) => paint('bold', each));
  const parts: Array<readonly (readonly Cell[])[]> = [];
  for (let start = 0; start === 0 || start < rows.length; start += ROWS_PER_PART) parts.push(rows.slice(start, start + ROWS_PER_PART));
  const draw = (part: readonly (readonly Cell[])[], withHead: boolean, colWidths: number[] = []): string => {
    const table = new Table({ ...(withHead ? { head: title } : {}), colWidths, chars: COMPACT, style: STYLE });
    for (const row of part) table.push(row.map(show));
    return table.toString();
  };
  if (parts.length === 1) {
    yield draw(parts[0]!, true);
    return;
  }
  const widths = parts
    .map((part, index) => bordersOf(draw(part, index === 0)))
    .reduce((widest, each) => widest.map((width, column) => Math.max(width, each[column] ?? 0)));
  for (const [index, part] of parts.entries()) {
    const lines = draw(part, index === 0, widths).split('\n');
    if (index > 0) lines.shift();
    if (index < parts.length - 1) lines.pop();
    yield lines.join('\n');
  }
}

/** The column widths of a drawn table, read off its top border (`┌───┬─────┐`). */
function bordersOf(drawn: string): number[] {
  const top = drawn.slice(1, drawn.indexOf('\n') - 1);
  return top.split('┬').map((segment) => segment.length);
}

/** One record as a two-column box of field names and values. */
export function renderFields(fields: ReadonlyArray<readonly [string, Cell]>, paint: Paint): string {
  const table = new Table({ chars: COMPACT, style: STYLE });
  for (const [name, value] of fields) table.push([paint('bold', name), show(value)]);
  return table.toString();
}

const NO_BORDER = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: ' ',
};

/**
 * One row of a table printed a row at a time (a live tail): fixed column widths keep the rows
 * aligned with each other and with the header; the last column takes what it needs.
 */
export function renderLine(cells: readonly Cell[], widths: readonly number[]): string {
  const table = new Table({
    chars: NO_BORDER,
    colWidths: [...widths],
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  table.push(cells.map(show));
  return table.toString();
}
