import { expect } from 'chai';
import type { ServerProcess } from './spawn-server.js';
import type { TestUser } from './users.js';
import { V1Socket } from './v1-socket.js';

/** A `/v1/stream` frame that tells `user`'s presence. */
export const presenceOf = (user: TestUser) => (frame: Record<string, unknown>) =>
  frame['type'] === 'presence' && frame['user_id'] === user.id;

/** `/v1/stream` of `user` on `server`, once the server has registered the connection. */
export async function streamOn(server: ServerProcess, user: TestUser): Promise<V1Socket> {
  const socket = await V1Socket.open({ server }, '/v1/stream', user.token);
  // The connection is registered once the upgrade's catch-up has begun.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return socket;
}

/** Each process projects the shared log on its own: asks `server` until it answers `viewer` about `target` as allowed. */
export async function presenceSeenBy(
  server: ServerProcess,
  viewer: TestUser,
  target: TestUser,
  withinMs = 10_000,
): Promise<Record<string, unknown>> {
  for (let waited = 0; waited < withinMs; waited += 50) {
    const answer = await server.client.json('GET', `/v1/users/${target.id}/presence`, undefined, viewer.token);
    if (answer.status === 200) return answer.body as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return expect.fail(`process on port ${server.port} never let user ${viewer.id} see user ${target.id}`);
}
