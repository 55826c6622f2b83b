import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Compiled to dist/test/support/: the script stays in the sources. */
const script = fileURLToPath(new URL('../../../test/support/record-reader.py', import.meta.url));

/**
 * A legacy IM client in Python that hands each TLS record to its parser on its own, as
 * simple_im's reference client does (see record-reader.py). `reads` holds every read's bytes,
 * in order; `plain` connects without TLS (ESCHAT_TLS=off).
 */
export class RecordReader {
  readonly reads: Buffer[] = [];
  private exited = false;
  private readonly exit: Promise<void>;
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.reads.push(Buffer.from((JSON.parse(line) as { read: string }).read, 'base64'));
    });
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exit = new Promise((resolve) =>
      child.once('close', () => {
        this.exited = true;
        resolve();
      }),
    );
  }

  /** Connects and writes `login`, a one-line IM login frame. */
  static start(port: number, caFile: string, login: string, { plain = false } = {}): RecordReader {
    const args = [script, String(port), caFile, login, ...(plain ? ['--plain'] : [])];
    return new RecordReader(spawn('python3', args, { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** Waits until the reads so far satisfy `done`. */
  async until(done: (reads: readonly Buffer[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.reads)) {
      if (this.exited) throw new Error(`record-reader.py exited: ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`record-reader.py: timed out after ${this.reads.length} reads`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Closes the connection and waits for the script to end. */
  async stop(): Promise<void> {
    this.child.stdin.end();
    await this.exit;
  }
}
