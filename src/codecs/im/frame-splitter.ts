/**
 * Turns the unframed byte stream of a legacy IM connection (TLS over TCP) into frames.
 *
 * Legacy clients write one-line frames, several per chunk or one split across
 * chunks, with or without a trailing newline. FrameScanner finds where each frame
 * ends; a trailing frame with no newline is parsed once the stream has been idle
 * for `idleFlushMs`, so that a frame split across two chunks that arrive close
 * together is not cut in two.
 */

import { StringDecoder } from 'node:string_decoder';
import { FrameScanner, ScanStop } from './frame-scanner.js';
import { TomlSyntaxError, readFrames, type TomlFrame } from './toml-reader.js';

/** How long a frame that ends mid-string or mid-value may wait for its rest, and how often it is looked at. */
export const TRUNCATED_PATIENCE_MS = 5000;
const TRUNCATED_RETRY_MS = 100;

export interface FrameSplitterOptions {
  /** Most UTF-8 bytes one frame may take; beyond that it is refused as 'frame too large'. */
  maxBufferBytes: number;
  /** How long a trailing frame without newline waits for more data. Default 10 ms. */
  idleFlushMs?: number;
}

/** What was dropped: why, and the text when there is one to show (the id of a malformed frame is read from it). */
interface Dropped {
  reason: string;
  text?: string;
}

/** Frames (a non-empty batch) or a piece of input that was dropped, in stream order. */
type Outcome = TomlFrame[] | Dropped;

export class FrameSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private readonly scanner = new FrameScanner();
  /** Decoded text from the start of the pending segment. */
  private text = '';
  private timer: NodeJS.Timeout | undefined;
  private pendingSince = 0;
  private closed = false;
  private readonly idleFlushMs: number;

  constructor(
    private readonly onFrames: (frames: TomlFrame[]) => void,
    private readonly onError: (reason: string, text?: string) => void,
    private readonly options: FrameSplitterOptions,
  ) {
    this.idleFlushMs = options.idleFlushMs ?? 10;
  }

  /** Feeds bytes as they come off the socket. Callbacks run before it returns. */
  push(chunk: Buffer): void {
    if (this.closed) return;
    const outcomes = this.drain(this.decoder.write(chunk));
    this.scheduleFlush();
    this.deliver(outcomes);
  }

  /** The stream ended: parses what is left, then closes. */
  end(): void {
    if (this.closed) return;
    const outcomes = this.drain(this.decoder.end());
    this.flushPending(outcomes);
    try {
      this.deliver(outcomes);
    } finally {
      this.close();
    }
  }

  /** Stops the splitter, dropping anything pending; later pushes are ignored. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.text = '';
  }

  /** Appends and scans newly decoded text, and parses every segment that is complete. */
  private drain(received: string): Outcome[] {
    const outcomes: Outcome[] = [];
    const receivedStart = this.text.length;
    // Appending builds a rope; only the new piece is scanned, so the rope is not flattened per chunk.
    this.text += received;
    for (;;) {
      const stop = this.scanner.scan(received, receivedStart, this.options.maxBufferBytes);
      if (stop === ScanStop.FrameEnd) {
        this.parse(this.text.slice(this.scanner.cutStart, this.scanner.cutEnd), outcomes);
      } else if (stop === ScanStop.Overflow) {
        outcomes.push({ reason: 'frame too large' });
      } else {
        break;
      }
    }
    // Keep only the pending segment, so that memory stays within the frame limit.
    const start = this.scanner.segmentStart;
    if (start > 0) {
      this.text = this.text.slice(start);
      this.scanner.rebase(start);
    }
    return outcomes;
  }

  private parse(segment: string, outcomes: Outcome[]): void {
    let frames: TomlFrame[];
    try {
      frames = readFrames(segment);
    } catch (error) {
      if (!(error instanceof TomlSyntaxError)) throw error;
      outcomes.push({ reason: error.reason, text: segment });
      return;
    }
    if (frames.length === 0) return;
    const last = outcomes[outcomes.length - 1];
    if (Array.isArray(last)) last.push(...frames);
    else outcomes.push(frames);
  }

  /** Parses the pending segment as it is: the client has stopped sending. */
  private flushPending(outcomes: Outcome[]): void {
    if (this.scanner.pending) this.parse(this.text, outcomes);
    this.text = '';
    this.scanner.reset();
  }

  private scheduleFlush(): void {
    if (!this.scanner.pending) {
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.timer === undefined) {
      this.pendingSince = Date.now();
      this.timer = setTimeout(this.onIdle, this.idleFlushMs);
      // A half-received frame must not keep the process alive.
      this.timer.unref();
    } else {
      this.timer.refresh();
    }
  }

  private readonly onIdle = (): void => {
    this.timer = undefined;
    // A frame cut short (inside a string, after '=') is waited for longer than a complete one:
    // its rest may come behind a slow TCP segment.
    if (this.looksTruncated() && Date.now() - this.pendingSince < TRUNCATED_PATIENCE_MS) {
      this.timer = setTimeout(this.onIdle, TRUNCATED_RETRY_MS);
      this.timer.unref();
      return;
    }
    const outcomes: Outcome[] = [];
    this.flushPending(outcomes);
    this.deliver(outcomes);
  };

  private looksTruncated(): boolean {
    try {
      readFrames(this.text);
      return false;
    } catch (error) {
      return error instanceof TomlSyntaxError && /^(unterminated|unexpected end of input|expected '=' after key)/.test(error.reason);
    }
  }

  private deliver(outcomes: Outcome[]): void {
    for (const outcome of outcomes) {
      // A callback may close the splitter, e.g. on too many errors: nothing more after that.
      if (this.closed) return;
      if (Array.isArray(outcome)) this.onFrames(outcome);
      else this.onError(outcome.reason, outcome.text);
    }
  }
}
