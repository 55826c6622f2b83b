/**
 * The thread WalSync syncs on. Not libuv's thread pool: there, a sync would queue behind
 * argon2 hashes and file reads, and a burst of sign-ins would hold every send back.
 */
import { fdatasyncSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

/** What the worker answers to each request: null once synced, or why it failed. */
export type SyncReply = string | null;

const fd = workerData as number;

parentPort?.on('message', () => {
  let reply: SyncReply = null;
  try {
    fdatasyncSync(fd);
  } catch (error) {
    reply = error instanceof Error ? error.message : String(error);
  }
  parentPort?.postMessage(reply);
});
