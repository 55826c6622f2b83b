import { expect } from 'chai';
import type { TomlFrame } from '../../src/codecs/im/toml-frame.js';
import type { ImClient } from '../support/im-client.js';
import { imOverTls, imOverWebSocket } from '../support/realtime.js';
import { errorCode, v1History, v1Send } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { parseToml } from '../support/toml.js';
import { FAITHFUL_TEXTS, REFUSED_TEXTS } from '../support/texts.js';
import { imUser, v1User, type TestUser } from '../support/users.js';
import { V1Socket } from '../support/v1-socket.js';

/** Same bytes once encoded as UTF-8: what "byte for byte" means for a text that travelled. */
function expectSameBytes(received: unknown, sent: string, path: string): void {
  expect(typeof received, path).to.equal('string');
  expect(Buffer.from(received as string, 'utf8').equals(Buffer.from(sent, 'utf8')), `${path}: ${JSON.stringify(received)}`).to.equal(true);
}

const messageWithId = (id: string) => (frame: TomlFrame) => frame.type === 'm' && frame.fields['id'] === id;
const ackOf = (id: string) => (frame: TomlFrame) => frame.type === 'a' && frame.fields['id'] === id;

/**
 * A one-line `[[m]]` with the text as a TOML string. A lone surrogate cannot be written as
 * UTF-8, so a client can only send its escape, which the reader must refuse.
 */
function rawMessage(id: string, text: string, to: number): string {
  const escaped = [...text].map((character) => {
    const code = character.codePointAt(0)!;
    return code < 0x20 || (code >= 0xd800 && code <= 0xdfff)
      ? `\\u${code.toString(16).padStart(4, '0')}`
      : character === '"' || character === '\\'
        ? `\\${character}`
        : character;
  });
  return `[[m]] id = "${id}" c = "${escaped.join('')}" to = ${to}`;
}

/**
 * Every text a person could type, quotes, newlines and any Unicode included, arrives exactly as
 * sent through every path into and out of the server; the few that cannot (NUL, lone
 * surrogates, empty, too long) are refused with a clear error on every path instead.
 */
describe('texts arrive byte for byte through every path', () => {
  let t: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let room: number;
  let aliceTls: ImClient;
  let bobWs: ImClient;
  let aliceChat: V1Socket;
  let bobChat: V1Socket;
  let carried = 0;

  before(async () => {
    t = await startTestServer();
    alice = await v1User(t, 'alice');
    bob = await imUser(t, 'bob', '8613800000001');
    room = ((await t.client.json('POST', '/v1/rooms', { users: [{ id: bob.id }] }, alice.token)).body as { id: number }).id;
    aliceTls = await imOverTls(t, alice, 'alice-tls');
    bobWs = await imOverWebSocket(t, bob, 'bob-ws');
    aliceChat = await V1Socket.open(t, `/v1/rooms/${room}/chat`, alice.token);
    bobChat = await V1Socket.open(t, `/v1/rooms/${room}/chat`, bob.token);
  });
  after(async () => {
    for (const client of [aliceTls, bobWs]) client.close();
    for (const socket of [aliceChat, bobChat]) socket.close();
    console.log(
      `      texts: ${Object.keys(FAITHFUL_TEXTS).length} texts, ${carried} deliveries compared byte for byte; ${Object.keys(REFUSED_TEXTS).length} refused on 4 paths`,
    );
    await t.stop();
  });

  for (const [name, text] of Object.entries(FAITHFUL_TEXTS)) {
    it(`carries ${name}`, async () => {
      const tag = name.replace(/\W/g, '_');

      const sent = await v1Send(t, alice, room, text, `v1_${tag}`);
      expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
      expectSameBytes((sent.body as { text: unknown }).text, text, 'v1 send answer');
      expectSameBytes((await bobWs.next(messageWithId(`v1_${tag}`))).fields['c'], text, 'v1 HTTP -> IM WebSocket');
      expectSameBytes((await bobChat.next((frame) => frame['client_id'] === `v1_${tag}`))['text'], text, 'v1 HTTP -> v1 room chat');

      bobWs.send('m', { id: `ws_${tag}`, c: text, to: alice.id });
      await bobWs.next(ackOf(`ws_${tag}`));
      expectSameBytes((await aliceTls.next(messageWithId(`ws_${tag}`))).fields['c'], text, 'IM WebSocket -> IM TLS');

      aliceTls.send('m', { id: `tls_${tag}`, c: text, to: bob.id });
      await aliceTls.next(ackOf(`tls_${tag}`));
      expectSameBytes((await bobWs.next(messageWithId(`tls_${tag}`))).fields['c'], text, 'IM TLS -> IM WebSocket');

      aliceChat.send({ text, client_id: `chat_${tag}` });
      expectSameBytes((await bobChat.next((frame) => frame['client_id'] === `chat_${tag}`))['text'], text, 'v1 room chat -> v1 room chat');

      const history = await v1History(t, bob, room, '?limit=10');
      for (const path of ['v1', 'ws', 'tls', 'chat']) {
        const stored = history.filter((message) => message.client_id === `${path}_${tag}`);
        expect(stored, `${path} in history`).to.have.length(1);
        expectSameBytes(stored[0]!.text, text, `${path} -> v1 history`);
      }
      carried += 9;
    });
  }

  it('keeps quotes and any Unicode in names, group names and greetings, in both dialects', async () => {
    // Names refuse control characters and stop at 64 characters, greetings at 100: cut to fit.
    // eslint-disable-next-line no-control-regex -- control characters are what names refuse
    const printable = Object.entries(FAITHFUL_TEXTS).filter(([, text]) => !/[\u0000-\u001f\u007f]/.test(text));
    for (const [name, text] of printable) {
      const short = [...text].slice(0, 60).join('');
      const group = await t.client.json('POST', '/v1/groups', { name: short, members: [bob.id] }, alice.token);
      expect(group.status, name).to.equal(200);
      const created = await bobWs.next(
        (frame) => frame.type === 'n' && frame.fields['t'] === 'create_group' && frame.fields['g_id'] === (group.body as { id: number }).id,
      );
      expectSameBytes(created.fields['name'], short, `${name}: v1 group name -> IM notification`);
      expectSameBytes((group.body as { name: unknown }).name, short, `${name}: v1 group name -> v1 answer`);

      const login = `asker ${[...short].slice(0, 40).join('')}`;
      const asker = await v1User(t, login);
      expect((await t.client.json('POST', `/v1/contacts/${bob.id}`, { ask: short }, asker.token)).status, name).to.equal(200);
      const pending = parseToml((await t.client.form('GET', '/pre_contact/0', {}, bob.token)).text)['pre_contact'] ?? [];
      expectSameBytes(
        pending.find((request) => request['user_id'] === asker.id)?.['message'],
        short,
        `${name}: v1 greeting -> im pre_contact`,
      );
      const shown = parseToml((await t.client.form('GET', `/user/id/${asker.id}`, {}, bob.token)).text)['user']?.[0]?.['name'];
      expectSameBytes(shown, login, `${name}: v1 login -> im name`);
      carried += 4;
    }
  });

  it('refuses a lone surrogate in names, group names and greetings, which one dialect could not show', async () => {
    for (const text of ['a\ud800', '\udfffb']) {
      expect(errorCode(await t.client.json('POST', '/v1/register', { login: text, password: 'pw' })), 'login').to.equal('invalid_login');
      expect(errorCode(await t.client.json('POST', '/v1/groups', { name: text }, alice.token)), 'group name').to.equal('invalid_name');
      expect(errorCode(await t.client.json('POST', `/v1/contacts/${bob.id}`, { ask: text }, alice.token)), 'greeting').to.equal(
        'invalid_ask',
      );
    }
  });

  for (const [name, text] of Object.entries(REFUSED_TEXTS)) {
    it(`refuses ${name} with a clear error on every path`, async () => {
      const tag = name.replace(/\W/g, '_');
      const sent = await v1Send(t, alice, room, text, `no_${tag}`);
      expect([sent.status, errorCode(sent)], 'v1 HTTP').to.deep.equal([422, 'invalid_text']);

      aliceChat.send({ text, client_id: `no_chat_${tag}` });
      expect(await aliceChat.next((frame) => 'error' in frame), 'v1 room chat').to.deep.equal({ error: { code: 'invalid_text' } });

      for (const [client, to] of [
        [aliceTls, bob.id],
        [bobWs, alice.id],
      ] as const) {
        client.sendRaw(`${rawMessage(`no_im_${tag}`, text, to)}\n`);
        const refusal = await client.next((frame) => frame.type === 'rr');
        expect(refusal.fields['s'], JSON.stringify(refusal.fields)).to.equal(1);
        expect(refusal.fields['r'], 'IM')
          .to.be.a('string')
          .and.match(/^(Invalid text|invalid unicode escape in a string)$/);
      }

      const history = await v1History(t, bob, room, '?limit=200');
      expect(history.filter((message) => message.client_id?.startsWith('no_'))).to.deep.equal([]);
    });
  }
});
