import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImClient } from '../../support/im-client.js';
import { imOverTls, imOverWebSocket } from '../../support/realtime.js';
import { startTestServer, testCertificates, type TestServer } from '../../support/test-server.js';
import { imUser } from '../../support/users.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ca = () => readFileSync(join(testCertificates, 'ca.crt'));

/** simple_im's reference client reads every `[[rr]]` by its id, and crashes on one without. */
describe('every [[rr]] the server sends carries an id', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ ESCHAT_REPLAY_WINDOW: '1' });
  });
  after(() => t.stop());

  it('closes a device replaced by a new login of the same device without a frame', async () => {
    const alice = await imUser(t, 'alice', '8615000000001');
    const old = await imOverTls(t, alice);
    const fresh = await imOverTls(t, alice);
    await old.next(() => false, 1000).catch(() => undefined);
    expect(old.closed).to.equal(true);
    expect(old.frames.filter((frame) => frame.type === 'rr')).to.deep.equal([]);
    fresh.close();
  });

  it('answers a malformed frame with its own id when it can be read, else with one of the server', async () => {
    const bob = await imUser(t, 'bob', '8615000000002');
    const client = await imOverTls(t, bob);
    client.sendRaw('[[m]] id = "x_7" c = "unterminated\n');
    expect((await client.next((frame) => frame.type === 'rr')).fields).to.deep.include({ id: 'x_7', s: 1 });
    client.sendRaw('this is not toml at all\n');
    const unreadable = await client.next((frame) => frame.type === 'rr');
    expect(unreadable.fields['id']).to.be.a('string').with.length.greaterThan(0);
    expect(unreadable.fields['s']).to.equal(1);
    client.sendRaw(`[[m]] c = "${'x'.repeat(70_000)}"\n`);
    const tooLarge = await client.next((frame) => frame.type === 'rr');
    expect(tooLarge.fields).to.include({ s: 1, r: 'frame too large' });
    expect(tooLarge.fields['id']).to.be.a('string').with.length.greaterThan(0);
    client.send('m', { c: 'no id', to: bob.id });
    expect((await client.next((frame) => frame.type === 'rr')).fields['id'])
      .to.be.a('string')
      .with.length.greaterThan(0);
    client.close();
  });

  it('gives the replay-window gap notice an id', async () => {
    const carol = await imUser(t, 'carol', '8615000000003');
    const dave = await imUser(t, 'dave', '8615000000004');
    const sender = await imOverWebSocket(t, carol);
    sender.send('m', { id: 'old', c: 'old', to: dave.id });
    await sender.next((frame) => frame.type === 'a');
    await sleep(1500);
    sender.send('m', { id: 'recent', c: 'recent', to: dave.id });
    await sender.next((frame) => frame.type === 'a');
    const late = await imOverWebSocket(t, dave);
    const gap = await late.next((frame) => frame.type === 'rr');
    expect(gap.fields['r']).to.match(/^gap: \d+ older/);
    expect(gap.fields['id']).to.be.a('string').with.length.greaterThan(0);
    expect((await late.next((frame) => frame.type === 'm')).fields['c']).to.equal('recent');
    late.close();
    sender.close();
  });

  it('says goodbye at shutdown with an id, on both transports', async () => {
    const own = await startTestServer();
    const erin = await imUser(own, 'erin', '8615000000005');
    const tls = await ImClient.tls(own.server.imPort, ca());
    await tls.login(erin, 'phone');
    const ws = await ImClient.websocket(`wss://localhost:${own.server.port}/im`, ca());
    await ws.login(erin, 'tablet');
    await own.stop();
    for (const client of [tls, ws]) {
      const goodbye = await client.next((frame) => frame.type === 'rr');
      expect(goodbye.fields).to.include({ s: 1 });
      expect(goodbye.fields['id']).to.be.a('string').with.length.greaterThan(0);
    }
  });
});
