import { fork, type ChildProcess } from 'node:child_process';
import { stopChild } from './server-process.js';
import type { Protocol, ReplyEnvelope, RequestEnvelope } from './worker-protocol.js';

interface Pending {
  worker: number;
  resolve(reply: unknown): void;
  reject(error: Error): void;
}

/**
 * The load generator's worker processes (`main`, run with `serveRequests`), driven by typed
 * requests over IPC. Clients live in workers so that the load generator is not one event loop:
 * the benchmark's own process only hands out work and checks what the workers report.
 */
export class WorkerPool<P extends Protocol> {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  private constructor(
    private readonly children: readonly ChildProcess[],
    private readonly what: string,
  ) {
    children.forEach((child, worker) => {
      child.on('message', (envelope: ReplyEnvelope) => this.receive(envelope));
      child.once('exit', (code, signal) => this.failPending(worker, `${what} worker ${worker} exited (${code ?? signal})`));
      child.on('error', (error) => this.failPending(worker, `${what} worker ${worker}: ${error.message}`));
    });
  }

  /**
   * Forks `count` workers. Their stdout goes to our stderr: `--json` output stays ours alone.
   * Structured-clone serialization carries typed arrays and NaN as they are.
   */
  static start<P extends Protocol>(main: string, count: number, what: string): WorkerPool<P> {
    const children = Array.from({ length: count }, () => fork(main, { stdio: ['ignore', 2, 'inherit', 'ipc'], serialization: 'advanced' }));
    return new WorkerPool<P>(children, what);
  }

  get size(): number {
    return this.children.length;
  }

  request<K extends keyof P & string>(worker: number, kind: K, body: P[K]['request']): Promise<P[K]['reply']> {
    const id = this.nextId++;
    const envelope: RequestEnvelope<P, K> = { id, kind, body };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { worker, resolve: resolve as (reply: unknown) => void, reject });
      // With a callback, a send to a worker that has gone away fails this request instead of
      // being an unhandled 'error' event of the child process.
      this.children[worker]!.send(envelope, (error) => error && this.failRequest(id, error.message));
    });
  }

  /** The same kind of request to every worker at once, `body(i)` for worker i; replies in worker order. */
  all<K extends keyof P & string>(kind: K, body: (worker: number) => P[K]['request']): Promise<Array<P[K]['reply']>> {
    return Promise.all(this.children.map((_, worker) => this.request(worker, kind, body(worker))));
  }

  async close(): Promise<void> {
    await Promise.all(this.children.map((child) => stopChild(child)));
  }

  private receive(envelope: ReplyEnvelope): void {
    const pending = this.pending.get(envelope.id);
    if (!pending) return;
    this.pending.delete(envelope.id);
    if ('error' in envelope) pending.reject(new Error(`${this.what} worker ${pending.worker}: ${envelope.error}`));
    else pending.resolve(envelope.reply);
  }

  private failPending(worker: number, reason: string): void {
    for (const [id, pending] of this.pending) if (pending.worker === worker) this.failRequest(id, reason);
  }

  private failRequest(id: number, reason: string): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    pending.reject(new Error(reason));
  }
}
