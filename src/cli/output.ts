import { countArgument } from './arguments.js';
import { tableParts, type Cell } from './table.js';
import { colourWanted, painter, type Paint } from './terminal-style.js';

/** `--json` on a command: JSON lines on stdout instead of tables; `--limit`: rows per table. */
export interface OutputOptions {
  json?: boolean;
  limit?: string;
}

/**
 * Rows a table shows by default: the most recent ones of a long list. People read a screenful,
 * not a room's whole history, and drawing boxes is slow (cli-table3 draws some 4,000 rows a
 * second); `--limit 0` draws them all, and `--json` always prints everything.
 */
const TABLE_ROWS = 1000;

/** Where a command's results go: tables for people, or one JSON value per line for machines. */
export class Output {
  readonly json: boolean;
  readonly paint: Paint;
  /** Most rows a table shows; 0: all. */
  private readonly rows: number;

  constructor(
    options: OutputOptions,
    private readonly stream: NodeJS.WriteStream = process.stdout,
  ) {
    this.json = options.json === true;
    this.paint = painter(!this.json && colourWanted(stream));
    this.rows = options.limit === undefined ? TABLE_ROWS : countArgument(options.limit, '--limit');
  }

  line(value: unknown): void {
    this.stream.write(`${JSON.stringify(value)}\n`);
  }

  print(text: string): void {
    this.stream.write(`${text}\n`);
  }

  /** Rows under headers, aligned: the last `--limit` of them, saying how many earlier ones are left out. */
  table(head: readonly string[], rows: readonly (readonly Cell[])[]): void {
    const left = this.rows === 0 ? 0 : Math.max(0, rows.length - this.rows);
    if (left > 0) this.print(this.paint('dim', `(${left} earlier rows not shown: --limit 0 shows them all, --json prints them all)`));
    for (const part of tableParts(head, rows.slice(left), this.paint)) this.print(part);
  }

  heading(text: string): void {
    this.print(this.paint('cyan', this.paint('bold', text)));
  }
}
