import { pick } from '../harness/bench-options.js';
import { BenchFailure, figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { HttpClient } from '../harness/http-client.js';
import { createUsers, type BenchUser } from '../harness/population.js';
import { openFilesLimit, residentBytes } from '../harness/process-memory.js';
import { connectionWorkerMain } from '../harness/repo-paths.js';
import { startServer } from '../harness/server-process.js';
import { sleep } from '../harness/wait-until.js';
import { WorkerPool } from '../harness/worker-pool.js';
import type { ConnectionProtocol, WorkerLogin } from './connection-worker.js';

const SOCKETS = 20_000;
/** Fewer users, each with many devices: signing in costs argon2, a device costs nothing more. */
const DEVICES_PER_USER = 40;
const SOURCE_ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
const WORKERS = 2;
/** Files the server needs besides the sockets: its log, the delivery state, stdio, epoll... */
const SERVER_FILE_HEADROOM = 200;
/** Time for the server's memory to settle after a burst of work (and a GC or two to happen). */
const SETTLE_MS = 3000;
const KIB = 1024;
const MIB = 1024 * 1024;

/**
 * 20,000 signed-in idle IM sockets from several source addresses, held by worker processes:
 * the server's memory per socket, against its memory before they connected. When the machine
 * limits one process's open files below that, as many as the server can hold.
 */
export const connectionsBench: Bench = {
  name: 'connections',
  async run(options) {
    const wanted = pick(options, SOCKETS, 2000);
    const server = await startServer({
      tls: options.tls,
      profileDir: options.profileDir,
      env: { ESCHAT_CONNECTIONS_PER_USER: String(DEVICES_PER_USER) },
    });
    const http = new HttpClient(server.httpUrl);
    const workers = WorkerPool.start<ConnectionProtocol>(connectionWorkerMain, WORKERS, 'connections');
    try {
      const count = Math.min(wanted, openFilesLimit(server.pid) - SERVER_FILE_HEADROOM);
      const users = await createUsers(http, Math.ceil(count / DEVICES_PER_USER));
      await sleep(SETTLE_MS);
      const before = residentBytes(server.pid);
      const logins = loginsFor(users, count);
      const shares = Array.from({ length: WORKERS }, (_, i) => logins.filter((_, j) => j % WORKERS === i));
      const started = performance.now();
      const reports = await workers.all('connect', (i) => ({ imUrl: server.imUrl, logins: shares[i]! }));
      const connectSeconds = (performance.now() - started) / 1000;
      const connected = reports.reduce((sum, report, i) => sum + expectAll(report, shares[i]!.length), 0);
      await sleep(SETTLE_MS);
      const after = residentBytes(server.pid);
      await expectConnections(http, connected);
      return [
        figure('connections', 'server memory per socket', (after - before) / connected / KIB, 'KiB', null, {
          op: '<=',
          limit: 8,
          of: 'value',
        }),
        figure('connections', 'server memory', after / MIB, 'MiB', before / MIB),
        figure('connections', 'sockets signed in', connected, 'sockets', wanted),
        figure('connections', 'sign-ins', connected / connectSeconds, 'logins/s', null),
      ];
    } finally {
      await workers.close();
      http.close();
      await server.stop();
    }
  },
};

/** Each user's devices in turn, spread over the source addresses. */
function loginsFor(users: readonly BenchUser[], count: number): WorkerLogin[] {
  return Array.from({ length: count }, (_, i) => {
    const user = users[Math.floor(i / DEVICES_PER_USER)]!;
    return {
      userId: user.id,
      token: user.token,
      device: `device-${i % DEVICES_PER_USER}`,
      localAddress: SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length]!,
    };
  });
}

function expectAll(connected: number, wanted: number): number {
  if (connected !== wanted) throw new BenchFailure(`connections: ${connected} of ${wanted} signed in`);
  return connected;
}

/** The server must count every socket as a live connection. */
async function expectConnections(http: HttpClient, expected: number): Promise<void> {
  const answer = await http.get('/v1/health');
  const report = JSON.parse(answer.body) as { realtime?: { connections?: number } };
  if (report.realtime?.connections !== expected) {
    throw new BenchFailure(`connections: /v1/health counts ${String(report.realtime?.connections)} connections, ${expected} signed in`);
  }
}
