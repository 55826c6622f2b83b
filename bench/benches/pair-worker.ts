/**
 * A worker process of `latency` and `throughput`: holds its share of the pairs' senders and
 * recipients (see `PairRun`), sends as the parent asks, checks every frame as it arrives and
 * reports its ledgers. The parent puts the workers' reports together.
 */
import { Connected } from '../harness/connected.js';
import { PairClients } from '../harness/pair-clients.js';
import type { PairProtocol } from '../harness/pair-protocol.js';
import { sendPaced } from '../harness/paced-sends.js';
import { serveRequests } from '../harness/worker-serve.js';
import { sendWindowed } from '../harness/windowed-sends.js';

const clients = new Connected<PairClients>();

serveRequests<PairProtocol>({
  connect: async (task) => clients.set(await PairClients.connect(task)),
  warmUp: () => clients.get().warmUp(),
  pace: (task) => sendPaced(clients.get(), task),
  windowed: (task) => sendWindowed(clients.get(), task),
  status: () => clients.get().status(),
  times: () => clients.get().times(),
});
