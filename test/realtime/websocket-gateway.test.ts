import { expect } from 'chai';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket } from 'ws';
import { startTestServer, type TestServer } from '../support/test-server.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

describe('the WebSocket gateway', () => {
  let t: TestServer;
  let plain: Server;
  const requests: Array<WeakRef<IncomingMessage>> = [];
  before(async () => {
    t = await startTestServer();
    // A plain HTTP server for the same gateway: the upgrade requests are visible here, weakly.
    plain = createServer();
    plain.on('upgrade', (request: IncomingMessage) => void requests.push(new WeakRef(request)));
    t.server.realtime.attach(plain);
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
  });
  after(async () => {
    plain.close();
    await t.stop();
  });

  // Each socket held its upgrade request (headers, raw headers, URL: about 1 KiB) for as long as it was open.
  it('keeps no upgrade request of an open socket', async () => {
    const port = (plain.address() as AddressInfo).port;
    const sockets = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/im`);
        await once(ws, 'open');
        return ws;
      }),
    );
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
    }
    expect(sockets.every((ws) => ws.readyState === WebSocket.OPEN)).to.equal(true);
    expect(requests).to.have.length(5);
    expect(requests.filter((request) => request.deref() !== undefined)).to.have.length(0);
    for (const ws of sockets) ws.close();
  });
});
