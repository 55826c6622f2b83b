import type { Writable } from 'node:stream';

const corked = new Set<Writable>();
let scheduled = false;

/**
 * Holds a socket's writes until the running callback is done, then sends them together: a
 * connection that gets several frames at once (the messages one group commit routes to it,
 * then the acknowledgements that commit resumes) costs one write call for each batch instead
 * of one per frame. Every socket corked meanwhile is uncorked by one process.nextTick, which
 * runs once the current code (and, when it runs in a promise callback, the promise callbacks
 * queued behind it) is done: nothing waits for a later turn of the event loop.
 */
export function corkForTick(socket: Writable): void {
  if (corked.has(socket)) return;
  socket.cork();
  corked.add(socket);
  if (!scheduled) {
    scheduled = true;
    process.nextTick(uncorkAll);
  }
}

/** Sends what the socket holds now, ahead of whatever is written to it next. */
export function uncorkNow(socket: Writable): void {
  if (corked.delete(socket)) socket.uncork();
}

function uncorkAll(): void {
  scheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}
