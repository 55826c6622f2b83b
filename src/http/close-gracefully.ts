import type { Server } from 'node:http';

/** How often connections that became idle (their last response sent) are closed while draining. */
const IDLE_SWEEP_MS = 50;

/**
 * Stops accepting connections, lets the requests in flight finish for up to `graceMs` (each
 * keep-alive connection is closed once its response is out), then cuts whatever is left.
 * Resolves once every connection is closed.
 */
export async function closeGracefully(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}
