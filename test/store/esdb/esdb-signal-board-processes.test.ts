/**
 * Two server processes whose log is EventStoreDB (the stand-in server, stand-in-server.ts):
 * typing said on one reaches a member connected to the other through the board's stream on the
 * log's server, and no `signals.db` is made; presence's offline, living days with its last seen,
 * goes through the board's lasting stream, at once to the other process and to one started later. The processes share a data directory only for the
 * per-person keys (a deployment on several hosts keeps those in MongoDB, which this test has not).
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { presenceOf, presenceSeenBy, streamOn } from '../../support/presence.js';
import { spawnServer, spawnTwo, stopAll, type ServerProcess } from '../../support/spawn-server.js';
import { v1User } from '../../support/users.js';
import { v1Group } from '../../support/rooms.js';
import { V1Socket } from '../../support/v1-socket.js';
import { StandInServer } from './stand-in-server.js';

describe('typing and presence across processes over an EventStoreDB log (stand-in server)', function () {
  this.timeout(60_000);
  let stand: StandInServer;
  let dataDir: string;
  let one: ServerProcess;
  let two: ServerProcess;
  /** The processes' settings: the log on the stand-in, and an expiry far longer than any wait here. */
  const env = (): Record<string, string> => ({ ESCHAT_EVENTSTORE: stand.connectionString, ESCHAT_PRESENCE_EXPIRY: '60' });
  /** The bodies of the board signals in `stream`, in posting order. */
  const bodiesIn = (stream: string): Array<Record<string, unknown>> =>
    stand.log
      .filter((record) => record.stream === stream)
      .map((record) => (JSON.parse(Buffer.from(record.data).toString('utf8')) as { body: Record<string, unknown> }).body);

  before(async () => {
    stand = await StandInServer.start();
    ({ dataDir, one, two } = await spawnTwo('eschat-esdb-board-', env()));
  });

  after(async () => {
    await stopAll(dataDir, one, two);
    await stand?.stop();
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
    const typing = bodiesIn('eschat-signals').filter((body) => body['kind'] === 'typing');
    expect(typing).to.have.length(1);
    expect(typing[0]).to.include({ roomId: room.id, userId: ann.id });
    expect(bodiesIn('eschat-signals-lasting').filter((body) => body['kind'] === 'typing')).to.deep.equal([]);
    expect(existsSync(join(dataDir, 'signals.db'))).to.equal(false);
    stream.close();
    typist.close();
  });

  it('shows a user who disconnects on process one offline with a last seen on process two at once, and to a process started later', async () => {
    const [cat, dan] = [await v1User(one, 'esdb-cat'), await v1User(one, 'esdb-dan')];
    expect((await one.client.json('POST', `/v1/contacts/${dan.id}`, { ask: 'hi' }, cat.token)).status).to.equal(200);
    expect((await one.client.json('PUT', `/v1/contacts/${cat.id}`, undefined, dan.token)).status).to.equal(200);
    await presenceSeenBy(two, dan, cat);
    const watcher = await streamOn(two, dan);
    const catStream = await streamOn(one, cat);
    expect(await watcher.next(presenceOf(cat))).to.include({ presence: 'online' });
    const closedAt = Date.now();
    catStream.close();
    // At once: the expiry (60 s) is far past this wait.
    const offline = await watcher.next(presenceOf(cat), 5000);
    expect(offline).to.include({ presence: 'offline' });
    expect(Date.parse(offline['last_seen'] as string)).to.be.within(closedAt - 1000, Date.now());
    const ofCat = (stream: string) => bodiesIn(stream).filter((body) => body['userId'] === cat.id);
    expect(ofCat('eschat-signals-lasting').map((body) => body['kind'])).to.deep.equal(['presence_offline']);
    expect(ofCat('eschat-signals').map((body) => body['kind'])).to.deep.equal(['presence']);
    const three = await spawnServer(dataDir, env());
    try {
      expect(await presenceSeenBy(three, dan, cat)).to.deep.equal({ presence: 'offline', last_seen: offline['last_seen'] });
    } finally {
      await three.kill('SIGTERM');
    }
    watcher.close();
  });
});

async function inRooms(server: ServerProcess, token: string, roomId: number): Promise<boolean> {
  const answer = await server.client.json('GET', '/v1/rooms', undefined, token);
  return answer.status === 200 && (answer.body as Array<{ id: number }>).some((room) => room.id === roomId);
}
