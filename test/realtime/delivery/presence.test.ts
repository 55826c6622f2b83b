import { expect } from 'chai';
import { presenceOf, presenceSeenBy, streamOn } from '../../support/presence.js';
import { v1Group } from '../../support/rooms.js';
import { spawnServer, spawnTwo, stopAll, type ServerProcess } from '../../support/spawn-server.js';
import { v1User, type TestUser } from '../../support/users.js';

/** Seconds a process's word on its users lasts: short, so that a killed process's users go offline within the test. */
const EXPIRY = { ESCHAT_PRESENCE_EXPIRY: '2' };

async function contacts(server: ServerProcess, a: TestUser, b: TestUser): Promise<void> {
  expect((await server.client.json('POST', `/v1/contacts/${b.id}`, { ask: 'hi' }, a.token)).status).to.equal(200);
  expect((await server.client.json('PUT', `/v1/contacts/${a.id}`, undefined, b.token)).status).to.equal(200);
}

describe('presence across server processes on one data directory', function () {
  this.timeout(60_000);
  let dataDir: string;
  let one: ServerProcess;
  let two: ServerProcess;

  before(async () => {
    ({ dataDir, one, two } = await spawnTwo('eschat-presence-', EXPIRY));
  });

  after(() => stopAll(dataDir, one, two));

  it('shows a contact on process two a user who connects on process one: online, away, then offline with the last seen', async () => {
    const [ann, bob, cid] = [await v1User(one, 'pr-ann'), await v1User(one, 'pr-bob'), await v1User(one, 'pr-cid')];
    await contacts(one, ann, bob);
    expect(await presenceSeenBy(two, bob, ann)).to.deep.equal({ presence: 'offline', last_seen: null });
    const watcher = await streamOn(two, bob);
    const connectedAt = Date.now();
    const annStream = await streamOn(one, ann);
    expect(await watcher.next(presenceOf(ann))).to.deep.equal({ type: 'presence', user_id: ann.id, presence: 'online', last_seen: null });
    expect(await presenceSeenBy(two, bob, ann)).to.deep.equal({ presence: 'online', last_seen: null });

    annStream.send({ type: 'presence', presence: 'away' });
    expect(await watcher.next(presenceOf(ann))).to.include({ presence: 'away', last_seen: null });
    annStream.send({ type: 'presence', presence: 'busy' });
    expect(await annStream.next((frame) => frame['type'] === 'error')).to.deep.equal({
      type: 'error',
      error: { code: 'invalid_presence' },
    });

    annStream.close();
    const offline = await watcher.next(presenceOf(ann));
    expect(offline).to.include({ presence: 'offline' });
    const lastSeen = Date.parse(offline['last_seen'] as string);
    expect(lastSeen).to.be.within(connectedAt - 1000, Date.now());
    expect(await presenceSeenBy(two, bob, ann)).to.deep.equal({ presence: 'offline', last_seen: offline['last_seen'] });

    // A stranger learns nothing, not even that ann exists; on either process.
    for (const server of [one, two]) {
      const refused = await server.client.json('GET', `/v1/users/${ann.id}/presence`, undefined, cid.token);
      expect([refused.status, refused.body]).to.deep.equal([404, { error: { code: 'user_not_found' } }]);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const cidStream = await streamOn(two, cid);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cidStream.frames.filter((frame) => frame['type'] === 'presence')).to.deep.equal([]);
    watcher.close();
    cidStream.close();
  });

  it('sends a stream that opens the presence of the room-sharers who are online, and none of the others', async () => {
    const [dan, eve, fay] = [await v1User(one, 'pr-dan'), await v1User(one, 'pr-eve'), await v1User(one, 'pr-fay')];
    await v1Group(one, dan, 'sharers', [eve, fay]);
    await presenceSeenBy(two, eve, dan);
    const danStream = await streamOn(one, dan);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const eveStream = await streamOn(two, eve);
    expect(await eveStream.next(presenceOf(dan))).to.include({ presence: 'online' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(eveStream.frames.filter(presenceOf(fay)), 'fay is offline: nothing said').to.deep.equal([]);
    danStream.close();
    eveStream.close();
  });

  it('takes the users of a killed process offline by themselves once their presence expires', async () => {
    const three = await spawnServer(dataDir, EXPIRY);
    try {
      const [gus, hal] = [await v1User(one, 'pr-gus'), await v1User(one, 'pr-hal')];
      await contacts(one, gus, hal);
      await presenceSeenBy(three, gus, hal);
      const watcher = await streamOn(one, hal);
      await streamOn(three, gus);
      expect(await watcher.next(presenceOf(gus))).to.include({ presence: 'online' });
      // Past the expiry, renewed: still online, and nothing said meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(await presenceSeenBy(one, hal, gus)).to.include({ presence: 'online' });
      expect(watcher.frames.filter(presenceOf(gus))).to.deep.equal([]);
      const killedAt = Date.now();
      await three.kill('SIGKILL');
      // The board's entry outlives its process by at most the expiry (2 s), seen within a tick.
      const offline = await watcher.next(presenceOf(gus), 5000);
      expect(offline).to.include({ presence: 'offline' });
      expect(Date.now() - killedAt).to.be.within(500, 4000);
      expect(Date.parse(offline['last_seen'] as string)).to.be.within(killedAt - 2000, killedAt + 1000);
      expect(await presenceSeenBy(two, hal, gus)).to.include({ presence: 'offline' });
      watcher.close();
    } finally {
      await three.kill('SIGKILL');
    }
  });

  it('takes the users of a process stopped with SIGTERM offline at once, not at the expiry', async () => {
    const four = await spawnServer(dataDir, { ESCHAT_PRESENCE_EXPIRY: '60' });
    try {
      const [ida, jon] = [await v1User(one, 'pr-ida'), await v1User(one, 'pr-jon')];
      await contacts(one, ida, jon);
      await presenceSeenBy(four, ida, jon);
      const watcher = await streamOn(one, jon);
      await streamOn(four, ida);
      expect(await watcher.next(presenceOf(ida))).to.include({ presence: 'online' });
      const stoppedAt = Date.now();
      await four.kill('SIGTERM');
      expect(await watcher.next(presenceOf(ida), 5000)).to.include({ presence: 'offline' });
      expect(Date.now() - stoppedAt, 'long before the 60 s expiry').to.be.below(5000);
      watcher.close();
    } finally {
      await four.kill('SIGKILL');
    }
  });
});
