import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCode, v1Group, v1Send, type V1Message } from '../../support/rooms.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { v1User, type TestUser } from '../../support/users.js';

interface Hit {
  id: number;
  text: string;
  user_id: number;
  room_id: number;
  created_at: string;
  snippet: string;
  highlights: Array<[number, number]>;
}

/** `GET /v1/search`: full-text search over the rooms one is in, kept by the log's edits and deletes. */
describe('v1 search', () => {
  let t: TestServer;
  let ann: TestUser;
  let bob: TestUser;
  before(async () => {
    t = await startTestServer();
    [ann, bob] = [await v1User(t, 'ann'), await v1User(t, 'bob')];
  });
  after(() => t.stop());

  const search = async (user: TestUser, query: string): Promise<Hit[]> => {
    const answer = await t.client.json('GET', `/v1/search?${query}`, undefined, user.token);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    return answer.body as Hit[];
  };
  const q = (text: string, rest = '') => `q=${encodeURIComponent(text)}${rest}`;
  const send = async (user: TestUser, room: number, text: string): Promise<V1Message> => {
    const answer = await v1Send(t, user, room, text);
    expect(answer.status).to.equal(200);
    return answer.body as V1Message;
  };

  it('finds messages of the rooms one is in, newest first, paged, with highlights', async () => {
    const room = await v1Group(t, ann, 'search', [bob]);
    const other = await v1Group(t, bob, 'bob alone');
    const first = await send(ann, room.id, 'The Quick brown fox');
    const second = await send(bob, room.id, 'a quick reply, quick!');
    await send(bob, other.id, 'quick but private');
    const hits = await search(ann, q('QUICK'));
    expect(hits.map((hit) => hit.id)).to.deep.equal([second.id, first.id]);
    expect(hits[0]).to.deep.include({ text: 'a quick reply, quick!', user_id: bob.id, room_id: room.id, snippet: 'a quick reply, quick!' });
    expect(hits[0]!.highlights).to.deep.equal([
      [2, 7],
      [15, 20],
    ]);
    expect(hits[1]!.highlights.map(([from, to]) => first.text.slice(from, to))).to.deep.equal(['Quick']);
    expect((await search(ann, q('quick', '&limit=1'))).map((hit) => hit.id)).to.deep.equal([second.id]);
    expect((await search(ann, q('quick', `&limit=1&before=${second.id}`))).map((hit) => hit.id)).to.deep.equal([first.id]);
    expect((await search(bob, q('quick'))).map((hit) => hit.id)).to.have.length(3);
  });

  it('is case- and diacritics-insensitive, in Russian and Chinese too', async () => {
    const room = await v1Group(t, ann, 'languages', [bob]);
    const french = await send(ann, room.id, 'On se voit au Café Noël ?');
    const russian = await send(bob, room.id, 'Привет! Встречаемся в МОСКВЕ, всё в силе');
    const chinese = await send(bob, room.id, '我们明天在北京天安门见面');
    const ids = async (text: string) => (await search(ann, q(text))).map((hit) => hit.id);
    expect(await ids('cafe noel')).to.deep.equal([french.id]);
    expect(await ids('москве')).to.deep.equal([russian.id]);
    expect(await ids('ПРИВЕТ')).to.deep.equal([russian.id]);
    expect(await ids('все')).to.deep.equal([russian.id]);
    expect(await ids('北京')).to.deep.equal([chinese.id]);
    expect(await ids('天安门')).to.deep.equal([chinese.id]);
    expect(await ids('明')).to.deep.equal([chinese.id]);
    expect(await ids('北天')).to.deep.equal([]);
    const [hit] = await search(ann, q('北京'));
    expect(hit!.highlights.map(([from, to]) => hit!.snippet.slice(from, to))).to.deep.equal(['北京']);
  });

  it('takes edits and deletes at once: an old or deleted text is found no more', async () => {
    const room = await v1Group(t, ann, 'changes', [bob]);
    const edited = await send(ann, room.id, 'meet at the lighthouse');
    const deleted = await send(ann, room.id, 'the password is swordfish');
    expect(
      (await t.client.json('PATCH', `/v1/rooms/${room.id}/messages/${edited.id}`, { text: 'meet at the harbour' }, ann.token)).status,
    ).to.equal(200);
    expect((await t.client.json('DELETE', `/v1/rooms/${room.id}/messages/${deleted.id}`, undefined, ann.token)).status).to.equal(200);
    expect(await search(bob, q('lighthouse'))).to.deep.equal([]);
    expect((await search(bob, q('harbour'))).map((hit) => [hit.id, hit.text])).to.deep.equal([[edited.id, 'meet at the harbour']]);
    expect(await search(bob, q('swordfish'))).to.deep.equal([]);
    expect(await search(ann, q('password'))).to.deep.equal([]);
    await t.stop(true);
    t = await startTestServer({}, t.dataDir);
    expect(await search(bob, q('swordfish')), 'after a restart').to.deep.equal([]);
    expect(
      (await search(bob, q('harbour'))).map((hit) => hit.id),
      'after a restart',
    ).to.deep.equal([edited.id]);
    const bytes = readFileSync(join(t.dataDir, 'search.db'));
    expect(bytes.includes(Buffer.from('swordfish')), 'the deleted text in search.db').to.equal(false);
  });

  it('finds nothing of a room one left, and refuses bad queries', async () => {
    const room = await v1Group(t, ann, 'left behind', [bob]);
    await send(ann, room.id, 'a farewell message');
    expect(await search(bob, q('farewell'))).to.have.length(1);
    expect((await t.client.json('DELETE', `/v1/rooms/${room.id}/members/${bob.id}`, undefined, bob.token)).status).to.equal(200);
    expect(await search(bob, q('farewell'))).to.deep.equal([]);
    expect(await search(ann, q('farewell'))).to.have.length(1);
    for (const [query, code] of [
      ['', 'invalid_query'],
      [q('  ,;  '), 'invalid_query'],
      [q('x'.repeat(257)), 'invalid_query'],
      [q('a', '&limit=0'), 'invalid_limit'],
      [q('a', '&limit=101'), 'invalid_limit'],
      [q('a', '&before=x'), 'invalid_before'],
    ] as const) {
      const answer = await t.client.json('GET', `/v1/search?${query}`, undefined, ann.token);
      expect([answer.status, errorCode(answer)], query).to.deep.equal([422, code]);
    }
    expect(await search(ann, q('"NEAR(a* OR -b^'))).to.be.an('array');
    expect((await t.client.json('GET', `/v1/search?${q('a')}`)).status).to.equal(401);
  });
});
