/**
 * A worker process of the `connections` benchmark that holds its share of the idle sockets: one
 * process may open only so many files (20,000 on the benchmark machine), and the sockets must
 * not share the load generator's event loop with its bookkeeping either.
 *
 * One request, `connect`: answered with the number of sockets signed in once every login was
 * answered `s = 0`; the sockets stay open until the parent stops the worker.
 */
import { mapBounded } from '../harness/bounded-pool.js';
import { ImSocket } from '../harness/im-socket.js';
import { serveRequests } from '../harness/worker-serve.js';

export interface WorkerLogin {
  userId: number;
  token: string;
  device: string;
  localAddress: string;
}

export interface ConnectionTask {
  imUrl: string;
  logins: WorkerLogin[];
}

export type ConnectionProtocol = {
  connect: { request: ConnectionTask; reply: number };
};

const CONCURRENCY = 100;

const sockets: ImSocket[] = [];

async function connectAll({ imUrl, logins }: ConnectionTask): Promise<number> {
  await mapBounded(logins, CONCURRENCY, async (login) => {
    const socket = await ImSocket.open(imUrl, { localAddress: login.localAddress });
    sockets.push(socket);
    // Idle, but a well-behaved client: anything replayed is acknowledged.
    socket.onFrame = (frame) => socket.ack(frame);
    await socket.login(login.userId, login.token, login.device);
  });
  return sockets.length;
}

serveRequests<ConnectionProtocol>({ connect: connectAll });
