import { expect } from 'chai';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { v1User } from '../../support/users.js';
import { V1Socket } from '../../support/v1-socket.js';

describe('the replay window', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ ESCHAT_REPLAY_WINDOW: '1' });
  });
  after(() => t.stop());

  it('says explicitly, with a gap frame, what is too old to replay, then replays the rest', async () => {
    const [ann, ben] = [await v1User(t, 'ann'), await v1User(t, 'ben')];
    const room = ((await t.client.json('POST', '/v1/rooms', { users: [{ id: ben.id, login: 'ben' }] }, ann.token)).body as { id: number })
      .id;
    await t.client.json('POST', `/v1/rooms/${room}/messages`, { text: 'old', client_id: 'a' }, ann.token);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await t.client.json('POST', `/v1/rooms/${room}/messages`, { text: 'recent', client_id: 'b' }, ann.token);
    const stream = await V1Socket.open(t, '/v1/stream?device=late&cursor=0', ben.token);
    const gap = await stream.next(() => true);
    expect(gap).to.include({ type: 'gap' });
    expect(gap['skipped']).to.be.at.least(1);
    const next = await stream.next((frame) => frame['type'] === 'message');
    expect((next['message'] as { text: string }).text).to.equal('recent');
    stream.close();
  });
});
