/**
 * What a benchmark's worker processes answer over IPC: each request kind with its body and its
 * reply, e.g. `{ status: { request: null; reply: Status } }`. The parent (`WorkerPool`) and the
 * child (`serveRequests`) are typed by the same protocol, so neither side can drift.
 */
export type Protocol = Record<string, { request: unknown; reply: unknown }>;

/** Parent to child: one request, numbered so that replies may come back in any order. */
export interface RequestEnvelope<P extends Protocol, K extends keyof P = keyof P> {
  id: number;
  kind: K;
  body: P[K]['request'];
}

/** Child to parent: the reply to request `id`, or why it failed. */
export type ReplyEnvelope = { id: number; reply: unknown } | { id: number; error: string };
