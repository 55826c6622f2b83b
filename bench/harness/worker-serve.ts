import type { Protocol, ReplyEnvelope, RequestEnvelope } from './worker-protocol.js';

/** How a worker answers each kind of request of its protocol. */
export type Handlers<P extends Protocol> = { [K in keyof P]: (body: P[K]['request']) => P[K]['reply'] | Promise<P[K]['reply']> };

/**
 * The child side of `WorkerPool`: answers each request with its handler; a handler that throws
 * is answered with its message. Exits when the parent goes away, so no worker outlives a run.
 */
export function serveRequests<P extends Protocol>(handlers: Handlers<P>): void {
  process.on('message', (envelope: RequestEnvelope<P>) => void answer(handlers, envelope));
  process.once('disconnect', () => process.exit(0));
}

async function answer<P extends Protocol>(handlers: Handlers<P>, { id, kind, body }: RequestEnvelope<P>): Promise<void> {
  let envelope: ReplyEnvelope;
  try {
    // The handler of `kind` takes that kind's body; TypeScript cannot correlate the two through the index.
    const handler = handlers[kind] as (body: unknown) => unknown;
    envelope = { id, reply: await handler(body) };
  } catch (error) {
    envelope = { id, error: error instanceof Error ? error.message : String(error) };
  }
  process.send!(envelope);
}
