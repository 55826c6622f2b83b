import { expect } from 'chai';
import type { TomlFrame } from '../../../src/codecs/im/toml-frame.js';
import type { ImClient } from '../../support/im-client.js';
import { imOverTls, imOverWebSocket } from '../../support/realtime.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { responseOf } from '../../support/toml.js';
import { imUser, v1User, type TestUser } from '../../support/users.js';
import { V1Socket } from '../../support/v1-socket.js';

const notification = (t: string) => (frame: TomlFrame) => frame.type === 'n' && frame.fields['t'] === t;
const quiet = (ms = 200) => new Promise((resolve) => setTimeout(resolve, ms));

describe('notifications of contact and group actions', () => {
  let t: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let aliceSameDevice: ImClient;
  let aliceTablet: ImClient;
  let bobPhone: ImClient;
  let carolStream: V1Socket;
  before(async () => {
    t = await startTestServer();
    alice = await imUser(t, 'alice', '8611000000001');
    bob = await imUser(t, 'bob', '8611000000002');
    carol = await v1User(t, 'carol');
    // The HTTP session of alice is device "android": that IM connection is the actor's own device.
    aliceSameDevice = await imOverWebSocket(t, alice, 'android');
    aliceTablet = await imOverTls(t, alice, 'tablet');
    bobPhone = await imOverTls(t, bob, 'phone');
    carolStream = await V1Socket.open(t, '/v1/stream', carol.token);
  });
  after(async () => {
    for (const client of [aliceSameDevice, aliceTablet, bobPhone]) client.close();
    carolStream.close();
    await t.stop();
  });

  const im = async (user: TestUser, method: string, path: string, fields: Record<string, string | string[]> = {}) =>
    responseOf((await t.client.form(method, path, fields, user.token)).text);

  it('add, accept and delete reach both parties and the actor’s other devices, not the acting one', async () => {
    expect(await im(alice, 'POST', `/contact/${bob.id}`, { ask: 'friends?' })).to.include({ status: 0 });
    const atBob = await bobPhone.next(notification('add_contact'));
    expect(atBob.fields).to.deep.include({ from: alice.id, to: bob.id, ask: 'friends?', d: 'android' });
    expect(atBob.fields['id']).to.be.a('string');
    expect(atBob.fields['cursor']).to.be.a('number');
    expect((await aliceTablet.next(notification('add_contact'))).fields).to.deep.include({ from: alice.id, to: bob.id });

    expect(await im(bob, 'PUT', `/contact/${alice.id}`)).to.include({ status: 0 });
    expect((await aliceTablet.next(notification('accept_contact'))).fields).to.deep.include({ from: bob.id, to: alice.id });
    expect((await aliceSameDevice.next(notification('accept_contact'))).fields).to.deep.include({ from: bob.id, to: alice.id });

    expect(await im(alice, 'DELETE', `/contact/${bob.id}`)).to.include({ status: 0 });
    expect((await bobPhone.next(notification('delete_contact'))).fields).to.deep.include({ from: alice.id, to: bob.id });
    await quiet();
    expect(aliceSameDevice.frames.filter((frame) => frame.type === 'n' && frame.fields['t'] !== 'accept_contact')).to.deep.equal([]);
  });

  it('group creation, joins, leaving and deletion reach every member, in both dialects', async () => {
    const created = await im(alice, 'POST', '/group', { name: 'club', 'members[]': [String(bob.id), String(carol.id)] });
    const group = created['group'] as { id: number; key: string };
    const atBob = await bobPhone.next(notification('create_group'));
    expect(atBob.fields).to.deep.include({ g_id: group.id, g_key: group.key });
    const atCarol = await carolStream.next((frame) => frame['event'] === 'RoomCreated');
    expect(atCarol['data']).to.deep.include({ roomId: group.id, name: 'club' });

    const dave = await imUser(t, 'dave', '8611000000004');
    expect(await im(dave, 'POST', `/group/${group.id}/member`, { g_key: group.key })).to.include({ status: 0 });
    expect((await bobPhone.next(notification('create_group_member'))).fields).to.deep.include({ g_id: group.id, member_id: dave.id });

    expect(await im(dave, 'DELETE', `/group/${group.id}/member`)).to.include({ status: 0 });
    expect((await bobPhone.next(notification('delete_group_member'))).fields).to.deep.include({
      g_id: group.id,
      gm_id: dave.id,
      member_id: dave.id,
    });

    expect(await im(alice, 'DELETE', `/group/${group.id}`)).to.include({ status: 0 });
    expect((await bobPhone.next(notification('delete_group'))).fields).to.deep.include({ g_id: group.id });
    expect((await carolStream.next((frame) => frame['event'] === 'RoomDeleted'))['data']).to.deep.include({ roomId: group.id });
  });

  it('reaches the others whether or not the actor is connected, and reaches the absent at their next login', async () => {
    const erin = await imUser(t, 'erin', '8611000000005');
    const fred = await imUser(t, 'fred', '8611000000006');
    expect(await im(erin, 'POST', `/contact/${fred.id}`, { ask: 'hello fred' })).to.include({ status: 0 });
    const fredLater = await imOverWebSocket(t, fred, 'phone');
    expect((await fredLater.next(notification('add_contact'))).fields).to.deep.include({ from: erin.id, to: fred.id, ask: 'hello fred' });
    fredLater.close();
  });
});
