/**
 * Two server processes whose log is EventStoreDB (the stand-in server, stand-in-server.ts):
 * typing said on one reaches a member connected to the other through the board's stream on the
 * log's server, and no `signals.db` is made. The processes share a data directory only for the
 * per-person keys (a deployment on several hosts keeps those in MongoDB, which this test has not).
 */
import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificates } from '../../../src/platform/dev-certificates.js';
import { spawnServer, type ServerProcess } from '../../support/spawn-server.js';
import { testCertificates } from '../../support/test-server.js';
import { v1User } from '../../support/users.js';
import { v1Group } from '../../support/rooms.js';
import { V1Socket } from '../../support/v1-socket.js';
import { StandInServer } from './stand-in-server.js';

describe('typing across processes over an EventStoreDB log (stand-in server)', function () {
  this.timeout(60_000);
  let stand: StandInServer;
  let dataDir: string;
  let one: ServerProcess;
  let two: ServerProcess;

  before(async () => {
    await ensureDevCertificates(testCertificates);
    stand = await StandInServer.start();
    dataDir = mkdtempSync(join(tmpdir(), 'eschat-esdb-board-'));
    one = await spawnServer(dataDir, { ESCHAT_EVENTSTORE: stand.connectionString });
    two = await spawnServer(dataDir, { ESCHAT_EVENTSTORE: stand.connectionString });
  });

  after(async () => {
    await Promise.all([one?.kill('SIGTERM'), two?.kill('SIGTERM')]);
    await stand?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows typing said on process one to a member streaming from process two, through the stream on the log', async () => {
    const [ann, bob] = [await v1User(one, 'esdb-ann'), await v1User(one, 'esdb-bob')];
    const room = await v1Group(one, ann, 'typing across', [bob]);
    // Process two projects the log on its own: wait until it knows bob's session and the room.
    for (let waited = 0; !(await inRooms(two, bob.token, room.id)); waited += 50) {
      if (waited > 10_000) expect.fail('process two never saw the room');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const stream = await V1Socket.open({ server: two }, '/v1/stream', bob.token);
    // The connection is registered once the upgrade's catch-up has begun.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const typist = await V1Socket.open({ server: one }, '/v1/stream', ann.token);
    typist.send({ type: 'typing', room_id: room.id });
    expect(await stream.next((frame) => frame['type'] === 'typing')).to.include({ room_id: room.id, user_id: ann.id });
    expect(stand.log.filter((record) => record.stream === 'eschat-signals')).to.have.length(1);
    expect(existsSync(join(dataDir, 'signals.db'))).to.equal(false);
    stream.close();
    typist.close();
  });
});

async function inRooms(server: ServerProcess, token: string, roomId: number): Promise<boolean> {
  const answer = await server.client.json('GET', '/v1/rooms', undefined, token);
  return answer.status === 200 && (answer.body as Array<{ id: number }>).some((room) => room.id === roomId);
}
