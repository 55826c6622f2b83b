/**
 * A worker process of `fanout`: holds its share of the group's members (and, in one worker, the
 * sending creator), so that reading 999 deliveries is not one process's queue. Each receipt is
 * stamped here, on the clock the send was stamped with; the parent takes the latest.
 */
import { Connected } from '../harness/connected.js';
import { FanoutClients } from '../harness/fanout-clients.js';
import type { FanoutProtocol } from '../harness/fanout-protocol.js';
import { serveRequests } from '../harness/worker-serve.js';

const clients = new Connected<FanoutClients>();

serveRequests<FanoutProtocol>({
  connect: async (task) => clients.set(await FanoutClients.connect(task)),
  round: (seq) => clients.get().round(seq),
  send: (seq) => clients.get().send(seq),
});
