import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TomlFrame } from '../../../src/codecs/im/toml-frame.js';
import { SqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import type { ImClient } from '../../support/im-client.js';
import { Scrape } from '../../support/prometheus.js';
import { imOverTls, imOverWebSocket } from '../../support/realtime.js';
import { v1Group } from '../../support/rooms.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { imUser, v1User, type TestUser } from '../../support/users.js';
import { V1Socket } from '../../support/v1-socket.js';

const quiet = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
const textOf = (frame: Record<string, unknown>): string => (frame['message'] as { text: string }).text;
const isMessage = (frame: Record<string, unknown>): boolean => frame['type'] === 'message';

describe('routing rooms read when needed, after a restart', function () {
  this.timeout(30_000);
  let t: TestServer;
  let ann: TestUser, ben: TestUser, cid: TestUser, dan: TestUser;
  let group = 0;
  let direct = 0;

  before(async function () {
    const first = await startTestServer();
    ann = await imUser(first, 'ann', '8610000000001');
    ben = await imUser(first, 'ben', '8610000000002');
    cid = await imUser(first, 'cid', '8610000000003');
    dan = await imUser(first, 'dan', '8610000000004');
    group = ((await first.client.json('POST', '/v1/groups', { name: 'club', members: [ben.id, cid.id] }, ann.token)).body as { id: number })
      .id;
    direct = ((await first.client.json('POST', '/v1/rooms', { users: [{ id: ben.id, login: 'ben' }] }, ann.token)).body as { id: number })
      .id;
    await first.stop(true);
    // One room in memory at a time: every room is read from its stream, again and again.
    t = await startTestServer({ ESCHAT_ROUTING_ROOMS: '1' }, first.dataDir);
  });
  after(() => t.stop());

  const send = async (roomId: number, text: string): Promise<void> => {
    const answer = await t.client.json('POST', `/v1/rooms/${roomId}/messages`, { text, client_id: text }, ann.token);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
  };

  it('delivers to the members of rooms not in memory at start, in both dialects, and to nobody else', async function () {
    const benStream = await V1Socket.open(t, '/v1/stream?device=web', ben.token);
    const cidTls = await imOverTls(t, cid);
    const benIm = await imOverWebSocket(t, ben, 'phone');
    const danStream = await V1Socket.open(t, '/v1/stream?device=web', dan.token);
    await send(group, 'to the club');
    await send(direct, 'to ben');
    expect(textOf(await benStream.next(isMessage))).to.equal('to the club');
    expect(textOf(await benStream.next(isMessage))).to.equal('to ben');
    expect((await cidTls.next((frame) => frame.type === 'gm')).fields).to.deep.include({ c: 'to the club', g_id: group, from: ann.id });
    expect((await benIm.next((frame) => frame.type === 'gm')).fields).to.deep.include({ c: 'to the club', g_id: group });
    // A direct room is named by the peer, which the route read from the room's stream tells.
    expect((await benIm.next((frame) => frame.type === 'm')).fields).to.deep.include({ c: 'to ben', to: ben.id, from: ann.id });
    await quiet();
    expect(danStream.frames.filter(isMessage)).to.deep.equal([]);
    expect(cidTls.frames.filter((frame) => frame.type === 'm')).to.deep.equal([]);
    for (const socket of [benStream, danStream]) socket.close();
    for (const client of [cidTls, benIm]) client.close();
  });

  it('gives a member removed in between the messages before the removal, not those after', async function () {
    const cidTls = await imOverTls(t, cid, 'tablet');
    const cidStream = await V1Socket.open(t, '/v1/stream?device=laptop', cid.token);
    // Each send to the direct room pushes the group out of memory: it is read again for the next.
    await send(group, 'before');
    await send(direct, 'elsewhere 1');
    const removed = await t.client.json('DELETE', `/v1/rooms/${group}/members/${cid.id}`, undefined, ann.token);
    expect(removed.status).to.equal(200);
    await send(direct, 'elsewhere 2');
    await send(group, 'after');
    await send(group, 'the end');
    const benStream = await V1Socket.open(t, `/v1/stream?device=late`, ben.token);
    expect(textOf(await benStream.next((frame) => isMessage(frame) && textOf(frame) === 'the end'))).to.equal('the end');
    await quiet();
    const gm = (client: ImClient): string[] =>
      client.frames.filter((frame: TomlFrame) => frame.type === 'gm').map((frame) => String(frame.fields['c']));
    expect(gm(cidTls)).to.deep.equal(['before']);
    expect(cidStream.frames.filter(isMessage).map(textOf)).to.deep.equal(['before']);
    benStream.close();
    cidStream.close();
    cidTls.close();
  });

  it('refuses a room chat and a send to a room the caller is not in, whether or not the room is in memory', async function () {
    await send(direct, 'elsewhere 3');
    const error = await V1Socket.open(t, `/v1/rooms/${group}/chat`, dan.token).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).to.equal('refused 403');
    const refused = await t.client.json('POST', `/v1/rooms/${group}/messages`, { text: 'hi', client_id: 'd1' }, dan.token);
    expect(refused.body).to.deep.equal({ error: { code: 'not_a_member' } });
    // Over im, the live send guard answers from the routing state.
    await send(direct, 'elsewhere 4');
    const outsider = await imOverWebSocket(t, dan);
    outsider.send('gm', { id: 'g_1', c: 'let me in', g_id: group });
    expect((await outsider.next((frame) => frame.type === 'rr')).fields).to.deep.include({ id: 'g_1', s: 1, r: 'Unauthorized' });
    const member = await imOverWebSocket(t, ben);
    await send(direct, 'elsewhere 5');
    member.send('gm', { id: 'g_2', c: 'i am in', g_id: group });
    expect((await member.next((frame) => frame.type === 'a' && frame.fields['id'] === 'g_2')).fields['mid']).to.be.a('number');
    outsider.close();
    member.close();
  });
});

describe('a start reads no history', function () {
  this.timeout(60_000);

  /** A log of `rooms` rooms written a day ago, its read models caught up by a first start: what the restart reads. */
  async function readAtRestart(rooms: number): Promise<number> {
    const dataDir = mkdtempSync(join(tmpdir(), 'eschat-test-'));
    try {
      const log = SqliteEventStore.open({ file: join(dataDir, 'events.db'), durability: 'normal' });
      const metadata = { correlationId: 'c', at: new Date(Date.now() - 86_400_000).toISOString() };
      for (let roomId = 1; roomId <= rooms; roomId++) {
        const members = [roomId, roomId + 1];
        const room = { roomId, kind: 'group', members };
        await log.append(`room-${roomId}`, [
          { type: 'RoomCreated', data: { ...room, name: `r${roomId}`, creator: roomId, key: 'k' }, metadata },
          ...members.map((userId) => ({ type: 'RoomMemberJoined', data: { ...room, userId, via: 'creation', by: roomId }, metadata })),
        ]);
      }
      await log.close();
      const first = await startTestServer({}, dataDir);
      await first.stop(true);
      const restarted = await startTestServer({}, dataDir);
      try {
        const scrape = await Scrape.of(restarted.client);
        return (
          scrape.value('eschat_event_store_read_events_total', { read: 'all' }) +
          scrape.value('eschat_event_store_read_events_total', { read: 'stream' })
        );
      } finally {
        await restarted.stop(true);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it('reads as many events of the log at start with 4,000 rooms as with 400', async function () {
    const few = await readAtRestart(400);
    const many = await readAtRestart(4000);
    expect(many, `${few} events read with 400 rooms`).to.equal(few);
    // RecentSends' page of the newest events, and the first event (the runner checks the log is the one it read).
    expect(many, 'not the 12,000 of the log').to.be.at.most(1001);
  });

  it('hands out the first user and room ids after a restart from the read models, not by reading the log back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eschat-test-'));
    try {
      const first = await startTestServer({}, dataDir);
      const ann = await v1User(first, 'ids-ann');
      await v1Group(first, ann, 'before');
      await first.stop(true);
      const restarted = await startTestServer({}, dataDir);
      try {
        const readAll = async (): Promise<number> =>
          (await Scrape.of(restarted.client)).value('eschat_event_store_read_events_total', { read: 'all' });
        const before = await readAll();
        const bob = await v1User(restarted, 'ids-bob');
        const group = await v1Group(restarted, bob, 'after', [ann]);
        expect(bob.id).to.equal(ann.id + 1);
        expect(group.id).to.be.a('number');
        // The newest UserRegistered or RoomCreated, looked for in the log, is a read of $all back through every other event.
        expect(await readAll()).to.equal(before);
      } finally {
        await restarted.stop(true);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
