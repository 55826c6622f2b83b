import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SyncReply } from './wal-sync-worker.js';
import { syncDirectory } from '../ports/sync-directory.js';

const SYNC_THREAD = new URL('./wal-sync-worker.js', import.meta.url);

/** Called once the commit it was registered for is on disk, or with why that failed. */
export type SyncWaiter = (error: Error | null) => void;

/**
 * Durable commits without blocking the event loop. SQLite runs with `synchronous=NORMAL`, so a
 * commit only writes its frames to the write-ahead log; this syncs that file with `fdatasync` on
 * a thread of its own and tells the waiters of every commit made before the sync started. While
 * one sync runs, later commits gather for the next one: a sync covers the whole file, and the
 * log is appended in commit order. A checkpoint (SQLite's own, under NORMAL) syncs the log
 * before copying it into the database and the database after, so a commit whose frames are
 * checkpointed before our sync is durable all the same.
 */
export class WalSync {
  private waiting: SyncWaiter[] = [];
  private inFlight: SyncWaiter[] | null = null;
  private failure: Error | null = null;
  private closed = false;

  private readonly worker: Worker;

  private constructor(
    private readonly fd: number,
    thread: URL,
  ) {
    this.worker = new Worker(thread, { workerData: fd });
    this.worker.on('message', (reply: SyncReply) => this.synced(reply === null ? null : new Error(`fdatasync: ${reply}`)));
    // A thread that dies (or never starts) would leave every later append waiting: fail them all.
    this.worker.on('error', (error) => this.threadLost(error));
    this.worker.on('exit', (code) => this.threadLost(new Error(`the log sync thread exited with code ${code}`)));
    // Idle, the thread must not keep the process alive; a sync under way must.
    this.worker.unref();
  }

  /**
   * Opens the log of `databaseFile`, which must exist (a WAL connection creates it on open), and
   * syncs its directory once. `thread` is the script the sync runs on (tests pass a broken one).
   */
  static open(databaseFile: string, thread = SYNC_THREAD): WalSync {
    syncDirectory(dirname(databaseFile));
    return new WalSync(openSync(`${databaseFile}-wal`, 'r'), thread);
  }

  /** Once a failed sync has been reported, nothing written since can be called durable. */
  get failed(): Error | null {
    return this.failure;
  }

  /** Registers a waiter for the commit just made. */
  afterCommit(waiter: SyncWaiter): void {
    if (this.failure) return waiter(this.failure);
    this.waiting.push(waiter);
    if (this.inFlight === null) this.start();
  }

  /** Syncs what is pending on this thread, releases every waiter, and lets the file go. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.finalSync();
    void this.worker.terminate();
    closeSync(this.fd);
  }

  private finalSync(): void {
    const waiters = [...(this.inFlight ?? []), ...this.waiting];
    this.inFlight = null;
    this.waiting = [];
    if (waiters.length === 0) return;
    try {
      fdatasyncSync(this.fd);
    } catch (error) {
      return this.fail(waiters, error);
    }
    for (const waiter of waiters) waiter(null);
  }

  private start(): void {
    this.inFlight = this.waiting;
    this.waiting = [];
    this.worker.ref();
    this.worker.postMessage(null);
  }

  private synced(error: Error | null): void {
    const batch = this.inFlight;
    // The final sync of close took these over.
    if (batch === null) return;
    this.inFlight = null;
    this.worker.unref();
    if (error) return this.fail([...batch, ...this.waiting.splice(0)], error);
    for (const waiter of batch) waiter(null);
    if (this.waiting.length > 0) this.start();
  }

  private threadLost(error: Error): void {
    if (this.closed || this.failure) return;
    const waiters = [...(this.inFlight ?? []), ...this.waiting];
    this.inFlight = null;
    this.waiting = [];
    this.fail(waiters, error);
  }

  private fail(waiters: readonly SyncWaiter[], error: unknown): void {
    // After a failed fsync the kernel may have dropped the dirty pages: no later sync can vouch for them.
    this.failure = error instanceof Error ? error : new Error(String(error));
    for (const waiter of waiters) waiter(this.failure);
  }
}
