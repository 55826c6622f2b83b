import {
  TAB,
  LF,
  CR,
  SPACE,
  QUOTE,
  HASH,
  APOSTROPHE,
  DOT,
  EQUALS,
  LBRACKET,
  BACKSLASH,
  RBRACKET,
  LBRACE,
  RBRACE,
  BOM,
} from './char-codes.js';

/**
 * Finds where frames end in TOML text that may arrive in pieces, without parsing it.
 *
 * A character-level state machine that knows just enough TOML lexing (the four
 * kinds of strings, comments, value brackets, table headers) to tell a frame
 * boundary from a `[[` or a newline inside a string or an array. It can stop and
 * resume anywhere, so the TCP splitter feeds it text as it comes, and the reader
 * uses it to cut a standard document into one piece per frame.
 *
 * A frame ends
 * - where the next top-level `[[name]]` header starts;
 * - at a newline, when its header line also carries pairs (the one-line form
 *   legacy clients write). A header alone on its line starts a multi-line frame,
 *   which ends only at the next header (or when the caller gives up waiting).
 */

/** Why `scan` returned. */
export const ScanStop = {
  /** All the text was consumed; the current segment may still be growing. */
  End: 0,
  /** `cutStart`..`cutEnd` is a complete segment to parse. */
  FrameEnd: 1,
  /** The current segment passed the byte limit; it is dropped up to the next newline or `[[`. */
  Overflow: 2,
} as const;
export type ScanStop = (typeof ScanStop)[keyof typeof ScanStop];

const CONTINUE = ScanStop.End;

// Lexical states.
const OUT = 0;
/** Saw `[` where a header may start: `[[` or `[`? */
const HEADER_OPEN = 1;
const HEADER = 2;
/** Saw the first `]` of `]]`. */
const HEADER_CLOSE = 3;
/** Saw one or two quotes: a single-line string, an empty one, or a multi-line one? */
const QUOTES = 4;
const STRING = 5;
const STRING_ESCAPE = 6;
const ML_STRING = 7;
const ML_STRING_ESCAPE = 8;
/** A run of quotes inside a multi-line string: three or more close it. */
const ML_QUOTES = 9;
const COMMENT = 10;
/** Dropping an oversized segment up to the next newline or `[[`. */
const DISCARD = 11;
const DISCARD_BRACKET = 12;

// Where the current segment's header line stands.
const NO_HEADER = 0;
/** A header, and nothing after it on its line yet. */
const HEADER_LINE = 1;
const ONE_LINE = 2;
const MULTI_LINE = 3;

export class FrameScanner {
  /** Index (in the caller's whole text) of the next character to scan. */
  pos = 0;
  /** Index where the segment being accumulated starts; text before it is no longer needed. */
  segmentStart = 0;
  /** After a FrameEnd stop: the segment to parse. */
  cutStart = 0;
  cutEnd = 0;
  /** Deepest value nesting seen since the last reset. */
  deepestNesting = 0;

  private state = OUT;
  /** The state a string returns to: OUT or HEADER. */
  private afterString = OUT;
  private quote = QUOTE;
  private quoteCount = 0;
  /** Value nesting: arrays and inline tables. */
  private depth = 0;
  /** An `=` was seen and its value has not started: a `[` now opens an array, not a header. */
  private afterEquals = false;
  private isArrayHeader = false;
  private dottedHeader = false;
  /** Where the header being read starts, and the segment's byte count before it. */
  private headerStart = 0;
  private bytesBeforeHeader = 0;
  private segmentBytes = 0;
  private lineMode = NO_HEADER;
  private hasContent = false;
  /** Newlines do not end the frame being discarded: it was a multi-line one. */
  private discardingMultiLine = false;

  /** Whether the current segment holds anything besides whitespace and comments. */
  get pending(): boolean {
    return this.hasContent;
  }

  /**
   * Scans from `pos` until a stop; `limitBytes` caps a segment's UTF-8 size.
   * `chunk` is the caller's text from index `chunkStart` on: a stream passes only
   * what just arrived, so that the text accumulated before is never re-read.
   */
  scan(chunk: string, chunkStart: number, limitBytes: number): ScanStop {
    const end = chunkStart + chunk.length;
    for (let i = this.pos; i < end; i++) {
      const c = chunk.charCodeAt(i - chunkStart);
      // UTF-8 size: a surrogate pair is 4 bytes, 2 per half.
      this.segmentBytes += c < 0x80 ? 1 : c < 0x800 || (c & 0xf800) === 0xd800 ? 2 : 3;
      const stop = this.segmentBytes > limitBytes ? this.overflow(c, i) : this.step(c, i);
      if (stop !== CONTINUE) {
        this.pos = i + 1;
        return stop;
      }
    }
    this.pos = end;
    return ScanStop.End;
  }

  /** Forgets everything, as for a fresh stream. */
  reset(): void {
    this.pos = 0;
    this.segmentStart = 0;
    this.deepestNesting = 0;
    this.state = OUT;
    this.depth = 0;
    this.afterEquals = false;
    this.segmentBytes = 0;
    this.lineMode = NO_HEADER;
    this.hasContent = false;
  }

  /** The caller dropped the first `offset` characters of its text. */
  rebase(offset: number): void {
    this.pos -= offset;
    this.segmentStart -= offset;
    this.headerStart -= offset;
  }

  private step(c: number, i: number): ScanStop {
    switch (this.state) {
      case OUT:
        return this.out(c, i);
      case HEADER_OPEN:
        this.state = HEADER;
        this.isArrayHeader = c === LBRACKET;
        return this.isArrayHeader ? CONTINUE : this.header(c, i);
      case HEADER:
        return this.header(c, i);
      case HEADER_CLOSE:
        this.state = OUT;
        return c === RBRACKET ? CONTINUE : this.out(c, i);
      case QUOTES:
        return this.quotes(c, i);
      case STRING:
        if (c === LF) return this.unterminated(i);
        if (c === this.quote) this.state = this.afterString;
        else if (c === BACKSLASH && this.quote === QUOTE) this.state = STRING_ESCAPE;
        return CONTINUE;
      case STRING_ESCAPE:
        if (c === LF) return this.unterminated(i);
        this.state = STRING;
        return CONTINUE;
      case ML_STRING:
        return this.multiLineString(c);
      case ML_STRING_ESCAPE:
        this.state = ML_STRING;
        return CONTINUE;
      case ML_QUOTES:
        if (c === this.quote) {
          this.quoteCount++;
          return CONTINUE;
        }
        // TOML lets up to two quotes of the content touch the closing three.
        if (this.quoteCount >= 3) {
          this.state = this.afterString;
          return this.step(c, i);
        }
        return this.multiLineString(c);
      case COMMENT:
        if (c !== LF) return CONTINUE;
        this.state = OUT;
        return this.out(c, i);
      case DISCARD:
        return this.discard(c, i);
      default: // DISCARD_BRACKET
        if (c !== LBRACKET) return this.discard(c, i);
        this.openHeader(i - 1, 0);
        this.state = HEADER;
        this.isArrayHeader = true;
        return CONTINUE;
    }
  }

  private out(c: number, i: number): ScanStop {
    if (c === LF) return this.depth > 0 ? CONTINUE : this.newline(i);
    if (c === SPACE || c === TAB || c === CR || c === BOM) return CONTINUE;
    if (c === HASH) {
      this.state = COMMENT;
      return CONTINUE;
    }
    this.hasContent = true;
    if (this.lineMode === HEADER_LINE) this.lineMode = ONE_LINE;
    if (c === QUOTE || c === APOSTROPHE) {
      this.afterEquals = false;
      this.openString(c, OUT);
    } else if (this.depth > 0 || this.afterEquals) {
      this.afterEquals = false;
      if (c === LBRACKET || c === LBRACE) this.nest(1);
      else if (c === RBRACKET || c === RBRACE) this.nest(-1);
    } else if (c === EQUALS) {
      this.afterEquals = true;
    } else if (c === LBRACKET) {
      this.openHeader(i, this.segmentBytes - 1);
      this.state = HEADER_OPEN;
    }
    return CONTINUE;
  }

  private nest(change: number): void {
    this.depth = Math.max(0, this.depth + change);
    if (this.depth > this.deepestNesting) this.deepestNesting = this.depth;
  }

  private openHeader(at: number, bytesBefore: number): void {
    this.headerStart = at;
    this.bytesBeforeHeader = bytesBefore;
    this.dottedHeader = false;
  }

  private header(c: number, i: number): ScanStop {
    if (c === RBRACKET) {
      if (!this.isArrayHeader) {
        this.state = OUT;
        return CONTINUE;
      }
      this.state = HEADER_CLOSE;
      // `[[r.items]]` continues the frame `[[r]]`; only `[[name]]` starts a new one.
      return this.dottedHeader ? CONTINUE : this.frameHeader();
    }
    if (c === DOT) this.dottedHeader = true;
    else if (c === QUOTE || c === APOSTROPHE) this.openString(c, HEADER);
    else if (c === LF) {
      // A header never spans lines: give up on it and let the parser report it.
      this.state = OUT;
      return this.newline(i);
    }
    return CONTINUE;
  }

  /** A top-level `[[name]]` header: the segment before it is complete. */
  private frameHeader(): ScanStop {
    const previousStart = this.segmentStart;
    this.segmentStart = this.headerStart;
    this.segmentBytes -= this.bytesBeforeHeader;
    this.lineMode = HEADER_LINE;
    this.hasContent = true;
    return this.cut(previousStart, this.headerStart);
  }

  private newline(i: number): ScanStop {
    this.afterEquals = false;
    if (this.lineMode === HEADER_LINE) this.lineMode = MULTI_LINE;
    if (this.lineMode === MULTI_LINE) return CONTINUE;
    const start = this.segmentStart;
    const hadContent = this.hasContent;
    this.startSegment(i + 1);
    return hadContent ? this.cut(start, i + 1) : CONTINUE;
  }

  private cut(start: number, end: number): ScanStop {
    if (end <= start) return CONTINUE;
    this.cutStart = start;
    this.cutEnd = end;
    return ScanStop.FrameEnd;
  }

  private startSegment(at: number): void {
    this.segmentStart = at;
    this.segmentBytes = 0;
    this.lineMode = NO_HEADER;
    this.hasContent = false;
  }

  private openString(quote: number, returnTo: number): void {
    this.quote = quote;
    this.quoteCount = 1;
    this.afterString = returnTo;
    this.state = QUOTES;
  }

  /**
   * A single-line string still open at a newline can never close: the frame is broken, and it
   * ends here, so that the parser reports it and the next line (the next frame of a legacy
   * client) is not read as part of the string.
   */
  private unterminated(i: number): ScanStop {
    this.state = OUT;
    this.depth = 0;
    return this.newline(i);
  }

  private quotes(c: number, i: number): ScanStop {
    if (c === this.quote) {
      this.quoteCount++;
      if (this.quoteCount === 3) this.state = ML_STRING;
      return CONTINUE;
    }
    if (this.quoteCount === 2) {
      // `""` was an empty string.
      this.state = this.afterString;
      return this.step(c, i);
    }
    this.state = STRING;
    return this.step(c, i);
  }

  private multiLineString(c: number): ScanStop {
    if (c === this.quote) {
      this.quoteCount = 1;
      this.state = ML_QUOTES;
    } else if (c === BACKSLASH && this.quote === QUOTE) {
      this.state = ML_STRING_ESCAPE;
    } else {
      this.state = ML_STRING;
    }
    return CONTINUE;
  }

  private overflow(c: number, i: number): ScanStop {
    this.discardingMultiLine = this.lineMode === MULTI_LINE;
    this.state = DISCARD;
    this.depth = 0;
    this.afterEquals = false;
    this.discard(c, i);
    return ScanStop.Overflow;
  }

  /**
   * Drops text up to a `[[` (the next segment starts there) or, for a one-line
   * frame, a newline (the next segment starts after it).
   */
  private discard(c: number, i: number): ScanStop {
    this.startSegment(i + 1);
    if (c === LF && !this.discardingMultiLine) {
      this.state = OUT;
    } else if (c === LBRACKET) {
      this.startSegment(i);
      this.segmentBytes = 1;
      this.state = DISCARD_BRACKET;
    } else {
      this.state = DISCARD;
    }
    return CONTINUE;
  }
}
