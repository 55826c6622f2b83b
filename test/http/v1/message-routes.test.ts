import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { errorCode, v1Group, v1History, v1Send, type V1Message, type V1Room } from '../../support/rooms.js';
import { v1User, type TestUser } from '../../support/users.js';

describe('v1 messages and history', () => {
  let t: TestServer;
  let ann: TestUser;
  let bob: TestUser;
  before(async () => {
    t = await startTestServer();
    [ann, bob] = [await v1User(t, 'ann'), await v1User(t, 'bob')];
  });
  after(() => t.stop());

  async function messagesSent(): Promise<number> {
    return (await t.server.store.readAll({ filter: { eventTypes: ['MessageSent'] } })).length;
  }

  it('answers the message at once and shows it in history in the seed shape, created_at in UTC seconds', async () => {
    const room = await v1Group(t, ann, 'talk', [bob]);
    const sent = await v1Send(t, ann, room.id, 'Привет "quoted" \\ 🙂');
    expect(sent.status).to.equal(200);
    const message = sent.body as V1Message;
    expect(Object.keys(message)).to.deep.equal(['id', 'text', 'user_id', 'room_id', 'created_at']);
    expect(message).to.include({ text: 'Привет "quoted" \\ 🙂', user_id: ann.id, room_id: room.id });
    expect(message.created_at).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(await v1History(t, bob, room.id)).to.deep.equal([message]);
  });

  it('refuses empty and over-long texts, and non-members', async () => {
    const room = await v1Group(t, ann, 'limits');
    expect(errorCode(await v1Send(t, ann, room.id, ''))).to.equal('invalid_text');
    expect(errorCode(await v1Send(t, ann, room.id, 'x'.repeat(10_001)))).to.equal('invalid_text');
    expect((await v1Send(t, ann, room.id, '🙂'.repeat(10_000))).status, '10,000 characters of two UTF-16 units each').to.equal(200);
    expect(errorCode(await v1Send(t, bob, room.id, 'hi'))).to.equal('not_a_member');
    expect(errorCode(await t.client.json('POST', `/v1/rooms/${room.id}/messages`, { text: 5 }, ann.token))).to.equal('invalid_json');
  });

  it('pages back through every message exactly once, in order, while others are being sent', async () => {
    const room = await v1Group(t, ann, 'busy', [bob]);
    const first = await Promise.all(Array.from({ length: 120 }, (_, i) => v1Send(t, i % 2 ? ann : bob, room.id, `m${i}`)));
    const paged: V1Message[] = [];
    let page = await v1History(t, ann, room.id, '?limit=25');
    // Sends that land while paging are newer than the first page: paging back never meets them.
    const during = Promise.all(Array.from({ length: 60 }, (_, i) => v1Send(t, ann, room.id, `late${i}`)));
    while (page.length > 0) {
      paged.unshift(...page);
      page = await v1History(t, ann, room.id, `?limit=25&before=${page[0]!.id}`);
    }
    await during;
    const ids = first.map((answer) => (answer.body as V1Message).id).sort((a, b) => a - b);
    expect(paged.map((message) => message.id)).to.deep.equal(ids);

    const everything: V1Message[] = [];
    for (
      let batch = await v1History(t, bob, room.id, '?limit=200');
      batch.length > 0;
      batch = await v1History(t, bob, room.id, `?limit=7&before=${batch[0]!.id}`)
    ) {
      everything.unshift(...batch);
    }
    expect(everything).to.have.length(180);
    expect(new Set(everything.map((message) => message.id)).size).to.equal(180);
    expect(everything.map((message) => message.id)).to.deep.equal([...everything.map((message) => message.id)].sort((a, b) => a - b));
  });

  it('answers the newest 50 by default, oldest first', async () => {
    const room = await v1Group(t, ann, 'many');
    for (let i = 0; i < 55; i++) await v1Send(t, ann, room.id, `n${i}`);
    const newest = await v1History(t, ann, room.id);
    expect(newest.map((message) => message.text)).to.deep.equal(Array.from({ length: 50 }, (_, i) => `n${i + 5}`));
  });

  it('refuses bad paging parameters', async () => {
    const room = await v1Group(t, ann, 'params');
    for (const [query, code] of [
      ['?limit=0', 'invalid_limit'],
      ['?limit=201', 'invalid_limit'],
      ['?limit=abc', 'invalid_limit'],
      ['?before=-3', 'invalid_before'],
      ['?before=1.5', 'invalid_before'],
    ]) {
      expect(errorCode(await t.client.json('GET', `/v1/rooms/${room.id}/messages${query}`, undefined, ann.token)), query).to.equal(code);
    }
  });

  it('a send retried with the same client_id answers the first message and creates one, even concurrently', async () => {
    const room = (await t.client.json('POST', '/v1/rooms', { users: [{ id: bob.id, login: 'bob' }] }, ann.token)).body as V1Room;
    const before = await messagesSent();
    const first = (await v1Send(t, ann, room.id, 'once', 'c-1')).body as V1Message;
    const retried = (await v1Send(t, ann, room.id, 'once', 'c-1')).body as V1Message;
    expect(retried).to.deep.equal(first);
    expect(first.client_id).to.equal('c-1');
    const together = await Promise.all(Array.from({ length: 10 }, () => v1Send(t, ann, room.id, 'burst', 'c-2')));
    const ids = new Set(together.map((answer) => (answer.body as V1Message).id));
    expect(ids.size).to.equal(1);
    expect(await messagesSent()).to.equal(before + 2);
    // The same client id from another sender is another message.
    const bobs = (await v1Send(t, bob, room.id, 'mine', 'c-1')).body as V1Message;
    expect(bobs.id).not.to.equal(first.id);
    expect((await v1History(t, bob, room.id)).map((message) => message.text)).to.deep.equal(['once', 'burst', 'mine']);
  });

  it('refuses a client_id reused for another text or room with 422 client_id_reused, and stores nothing', async () => {
    const room = await v1Group(t, ann, 'keys', [bob]);
    const other = await v1Group(t, ann, 'other keys', [bob]);
    const first = (await v1Send(t, ann, room.id, 'the text', 'key-1')).body as V1Message;
    const before = await messagesSent();
    const otherText = await v1Send(t, ann, room.id, 'another text', 'key-1');
    expect(otherText.status).to.equal(422);
    expect(otherText.body).to.deep.equal({ error: { code: 'client_id_reused' } });
    const otherRoom = await v1Send(t, ann, other.id, 'the text', 'key-1');
    expect([otherRoom.status, errorCode(otherRoom)]).to.deep.equal([422, 'client_id_reused']);
    const together = await Promise.all([v1Send(t, ann, room.id, 'one', 'key-2'), v1Send(t, ann, room.id, 'two', 'key-2')]);
    expect(together.map((answer) => `${answer.status} ${errorCode(answer) ?? ''}`).sort(), 'two texts under one key at once').to.deep.equal(
      ['200 ', '422 client_id_reused'],
    );
    expect((await v1Send(t, ann, room.id, 'the text', 'key-1')).body).to.deep.equal(first);
    expect(await messagesSent()).to.equal(before + 1, 'the one text under key-2');
    const openApi = (await t.client.json('GET', '/v1/openapi.json')).body as { paths: Record<string, { post?: { responses: unknown } }> };
    expect(JSON.stringify(openApi.paths['/v1/rooms/{id}/messages']?.post?.responses)).to.include('client_id_reused');
  });
});
