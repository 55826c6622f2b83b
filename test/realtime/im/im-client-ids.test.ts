import { expect } from 'chai';
import type { TomlFrame } from '../../../src/codecs/im/toml-frame.js';
import type { ImClient } from '../../support/im-client.js';
import { imOverTls, imOverWebSocket } from '../../support/realtime.js';
import { v1Group, v1History } from '../../support/rooms.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { imUser, type TestUser } from '../../support/users.js';

/**
 * simple_im's reference client sends every group message as `id = "a_03"` and 1:1 messages as
 * `msg_id_<unix seconds>`: its ids are not unique, and only a true retry (same device, id,
 * target and content) may be answered with an earlier message.
 */
describe('simple_im client ids, which are not unique', () => {
  let t: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  before(async () => {
    t = await startTestServer();
    alice = await imUser(t, 'alice', '8613900000001');
    bob = await imUser(t, 'bob', '8613900000002');
    carol = await imUser(t, 'carol', '8613900000003');
    dave = await imUser(t, 'dave', '8613900000004');
  });
  after(() => t.stop());

  const isAck = (id: string) => (frame: TomlFrame) => frame.type === 'a' && frame.fields['id'] === id;
  const acks = async (client: ImClient, id: string, count: number): Promise<number[]> => {
    const mids: number[] = [];
    for (let i = 0; i < count; i++) mids.push(Number((await client.next(isAck(id))).fields['mid']));
    return mids;
  };
  const stored = async (text: string): Promise<number> =>
    (await t.server.store.readAll({ filter: { eventTypes: ['MessageSent'] } })).filter(
      (event) => (event.data as { text: string }).text === text,
    ).length;

  for (const [transport, connect] of [
    ['WebSocket', imOverWebSocket],
    ['TLS', imOverTls],
  ] as const) {
    describe(`over ${transport}`, () => {
      it('stores and delivers every group message sent as a_03, each with its own mid', async () => {
        const group = await v1Group(t, alice, `a_03 ${transport}`, [bob, carol]);
        const sender = await connect(t, alice, `${transport}-group`);
        const member = await connect(t, bob, `${transport}-group`);
        const texts = ['first', 'second', 'third'].map((text) => `${text} in ${transport}`);
        for (const c of texts) sender.send('gm', { id: 'a_03', c, g_id: group.id, t: 'text', d: `${transport}-group` });
        const mids = await acks(sender, 'a_03', texts.length);
        expect(new Set(mids).size).to.equal(texts.length);
        const received = [];
        for (const c of texts) received.push(await member.next((frame) => frame.type === 'gm' && frame.fields['c'] === c));
        expect(received.map((frame) => frame.fields['mid'])).to.deep.equal(mids);
        expect(received.every((frame) => frame.fields['id'] === 'a_03')).to.equal(true);
        expect((await v1History(t, carol, group.id)).map((message) => message.text)).to.deep.equal(texts);
        sender.close();
        member.close();
      });

      it('delivers 1:1 messages with one msg_id_<second> to several people in the same second', async () => {
        const sender = await connect(t, alice, `${transport}-direct`);
        const recipients = [
          [bob, await connect(t, bob, `${transport}-direct`)],
          [carol, await connect(t, carol, `${transport}-direct`)],
          [dave, await connect(t, dave, `${transport}-direct`)],
        ] as const;
        const id = `msg_id_${Math.floor(Date.now() / 1000)}`;
        const c = `hello everyone over ${transport}`;
        for (const [user] of recipients) sender.send('m', { id, c, to: user.id, t: 'text', d: `${transport}-direct` });
        const mids = await acks(sender, id, recipients.length);
        expect(new Set(mids).size).to.equal(recipients.length);
        for (const [user, client] of recipients) {
          const frame = await client.next((received) => received.type === 'm' && received.fields['c'] === c);
          expect(frame.fields).to.deep.include({ id, from: alice.id, to: user.id });
          expect(mids).to.include(frame.fields['mid']);
          client.close();
        }
        expect(await stored(c)).to.equal(recipients.length);
        sender.close();
      });

      it('answers a true retry (same id, target and content) with the original mid and stores it once', async () => {
        const group = await v1Group(t, alice, `retry ${transport}`, [bob]);
        const sender = await connect(t, alice, `${transport}-retry`);
        const member = await connect(t, bob, `${transport}-retry`);
        const frame = { id: 'a_03', c: `retried over ${transport}`, g_id: group.id, t: 'text', d: `${transport}-retry` };
        sender.send('gm', frame);
        sender.send('gm', frame);
        const [first, second] = await acks(sender, 'a_03', 2);
        expect(second).to.equal(first);
        // Another message under the id in between: a retry of the first still finds the first.
        sender.send('gm', { ...frame, c: `between over ${transport}` });
        const [between] = await acks(sender, 'a_03', 1);
        sender.send('gm', frame);
        const [late] = await acks(sender, 'a_03', 1);
        expect(between).to.not.equal(first);
        expect(late).to.equal(first);
        await member.next((received) => received.type === 'gm' && received.fields['c'] === `between over ${transport}`);
        expect(member.frames.filter((received) => received.type === 'gm' && received.fields['c'] === frame.c)).to.have.length(1);
        expect(await stored(frame.c)).to.equal(1);
        sender.close();
        member.close();
      });
    });
  }
});
