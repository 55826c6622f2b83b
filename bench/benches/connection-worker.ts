/**
 * A child process of the `connections` benchmark that holds its share of the idle sockets: one
 * process may open only so many files (20,000 on the benchmark machine), and the sockets must
 * not share the load generator's event loop with its bookkeeping either.
 *
 * Protocol over IPC: `{ imUrl, logins }` in; `{ connected }` or `{ error }` out once every login
 * was answered `s = 0`; any message after that closes everything and exits.
 */
import { mapBounded } from '../harness/bounded-pool.js';
import { ImSocket } from '../harness/im-socket.js';

export interface WorkerLogin {
  userId: number;
  token: string;
  device: string;
  localAddress: string;
}

export interface WorkerTask {
  imUrl: string;
  logins: WorkerLogin[];
}

export type WorkerReport = { connected: number } | { error: string };

const CONCURRENCY = 100;

const sockets: ImSocket[] = [];

async function connectAll({ imUrl, logins }: WorkerTask): Promise<WorkerReport> {
  try {
    await mapBounded(logins, CONCURRENCY, async (login) => {
      const socket = await ImSocket.open(imUrl, { localAddress: login.localAddress });
      sockets.push(socket);
      // Idle, but a well-behaved client: anything replayed is acknowledged.
      socket.onFrame = (frame) => socket.ack(frame);
      await socket.login(login.userId, login.token, login.device);
    });
    return { connected: sockets.length };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

let started = false;
process.on('message', (message: WorkerTask) => {
  if (started) {
    for (const socket of sockets) socket.close();
    process.exit(0);
  }
  started = true;
  void connectAll(message).then((report) => process.send!(report));
});
