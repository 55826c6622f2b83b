import { expect } from 'chai';
import { AMR, MP4, PNG, file, postMultipart, postWithoutPartTypes } from '../../support/media.js';
import { imOverTls, imOverWebSocket } from '../../support/realtime.js';
import { v1History, type V1Room } from '../../support/rooms.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { responseOf } from '../../support/toml.js';
import { imUser, type TestUser } from '../../support/users.js';

describe('im media', () => {
  let t: TestServer;
  let sender: TestUser;
  let receiver: TestUser;
  let outsider: TestUser;
  before(async () => {
    t = await startTestServer({ ESCHAT_UPLOAD_LIMIT: String(64 * 1024) });
    sender = await imUser(t, 'sender', '8613200000001');
    receiver = await imUser(t, 'receiver', '8613200000002');
    outsider = await imUser(t, 'outsider', '8613200000003');
  });
  after(() => t.stop());

  const post = async (path: string, parts: Parameters<typeof postMultipart>[2], user = sender) => {
    const answer = await postMultipart(t, path, parts, user.token);
    expect(answer.status, 'im answers HTTP 200').to.equal(200);
    return responseOf(answer.text);
  };
  /** `c` is relative, as the original wrote it: clients put their HTTP server before it. */
  const fetchFile = (c: string, user: TestUser, headers: Record<string, string> = {}) =>
    t.client.request('GET', `/${c}`, { headers: { cookie: `token=${user.token}`, ...headers } });

  it('POST /m/audio sends to the direct room of the two users, the one v1 finds for them', async () => {
    const sent = await post('/m/audio', { audio: file(AMR, '10010.amr', 'audio/AMR'), to: String(receiver.id) });
    expect(sent['status'], JSON.stringify(sent)).to.equal(0);
    const { mid, c } = sent['message'] as { mid: number; c: string };
    expect(c).to.match(/^file\/audio\/[0-9a-f-]{36}\.amr$/);

    const direct = (await t.client.json('POST', '/v1/rooms', { users: [{ id: sender.id, login: 'sender' }] }, receiver.token))
      .body as V1Room;
    expect(direct.kind).to.equal('direct');
    const [message] = await v1History(t, receiver, direct.id);
    expect(message).to.include({ id: mid, kind: 'audio', user_id: sender.id });

    const bytes = await fetchFile(c, receiver);
    expect(bytes.status).to.equal(200);
    expect(bytes.headers['content-type']).to.equal('audio/amr');
    expect(bytes.bytes.equals(AMR)).to.equal(true);
    const part = await fetchFile(c, receiver, { range: 'bytes=0-5' });
    expect(part.status).to.equal(206);
    expect(part.text).to.equal('#!AMR\n');
    expect((await fetchFile(c, receiver, { range: 'bytes=99999-' })).status).to.equal(416);
  });

  it('takes the seed example\u2019s part name "filename" too', async () => {
    const sent = await post('/m/audio', { filename: file(AMR, '10010.amr'), to: String(receiver.id) });
    expect(sent['status']).to.equal(0);
  });

  it('POST /gm/image sends to a group; non-members are unauthorized', async () => {
    const group = (await t.client.json('POST', '/v1/groups', { name: 'pics', members: [receiver.id] }, sender.token)).body as V1Room;
    const sent = await post('/gm/image', { image: file(PNG, 'a.png', 'image/png'), g_id: String(group.id) });
    expect(sent['status']).to.equal(0);
    const { c } = sent['message'] as { c: string };
    expect((await fetchFile(c, receiver)).bytes.equals(PNG)).to.equal(true);
    expect(await post('/gm/image', { image: file(PNG), g_id: String(group.id) }, outsider)).to.deep.equal({
      status: 3,
      reason: 'Unauthorized',
    });
    expect(await post('/gm/image', { image: file(PNG), g_id: '99999' })).to.deep.equal({ status: 3, reason: 'Group Not Exist!' });
    expect(await post('/gm/image', { image: file(PNG), g_id: 'x' })).to.deep.equal({ status: 3, reason: 'Group Not Exist!' });
  });

  it('names the missing part or field, as the original', async () => {
    expect(await post('/m/audio', { to: String(receiver.id) })).to.deep.equal({ status: 3, reason: 'audio Required' });
    expect(await post('/m/video', { audio: file(MP4), to: String(receiver.id) })).to.deep.equal({ status: 3, reason: 'video Required' });
    expect(await post('/m/audio', { audio: file(AMR) })).to.deep.equal({ status: 3, reason: 'to Required' });
    expect(await post('/gm/image', { image: file(PNG) })).to.deep.equal({ status: 3, reason: 'g_id Required' });
  });

  it('refuses bytes of another kind, unknown recipients, oneself, and files over the limit, with a status and reason', async () => {
    expect(await post('/m/audio', { audio: file(PNG), to: String(receiver.id) })).to.deep.equal({ status: 3, reason: 'Invalid audio' });
    expect(await post('/m/image', { image: file(AMR), to: String(receiver.id) })).to.deep.equal({ status: 3, reason: 'Invalid image' });
    expect(await post('/m/video', { video: file(MP4), to: '999999' })).to.deep.equal({ status: 3, reason: 'User Not Exist!' });
    expect(await post('/m/video', { video: file(MP4), to: 'two' })).to.deep.equal({ status: 3, reason: 'User Not Exist!' });
    expect(await post('/m/video', { video: file(MP4), to: String(sender.id) })).to.deep.equal({ status: 3, reason: 'Invalid to' });
    const big = await post('/m/image', { image: file(Buffer.concat([PNG, Buffer.alloc(70 * 1024)])), to: String(receiver.id) });
    expect(big).to.deep.equal({ status: 5, reason: 'Payload Too Large' });
  });

  it('serves files only to the people in the room, under the type they were sent as', async () => {
    const sent = await post('/m/video', { video: file(MP4, 'v.mp4'), to: String(receiver.id) });
    const { c } = sent['message'] as { c: string };
    expect((await fetchFile(c, sender)).headers['content-type']).to.equal('video/mp4');
    const denied = await fetchFile(c, outsider);
    expect(denied.status).to.equal(404);
    expect(responseOf(denied.text)).to.deep.equal({ status: 404, reason: 'Not Found' });
    expect((await fetchFile(c.replace('/video/', '/audio/'), receiver)).status).to.equal(404);
    expect(responseOf((await t.client.request('GET', `/${c}`)).text)).to.deep.equal({ status: 1, reason: 'Token error' });
  });

  it('puts the path the original wrote in the c of [[m]] and [[gm]]: file/<type>/<id><ext>, relative, .amr .mp4 .png by type', async () => {
    const group = (await t.client.json('POST', '/v1/groups', { name: 'paths', members: [receiver.id] }, sender.token)).body as V1Room;
    const overWs = await imOverWebSocket(t, receiver, 'paths-ws');
    const overTls = await imOverTls(t, receiver, 'paths-tls');
    const sends = [
      ['/m/audio', 'audio', AMR, 'm', '.amr'],
      ['/m/video', 'video', MP4, 'm', '.mp4'],
      ['/gm/image', 'image', PNG, 'gm', '.png'],
    ] as const;
    for (const [path, kind, bytes, frameType, extension] of sends) {
      const target: Record<string, string> = frameType === 'm' ? { to: String(receiver.id) } : { g_id: String(group.id) };
      const sent = await post(path, { [kind]: file(bytes, `x${extension}`, 'application/octet-stream'), ...target });
      const { mid, c } = sent['message'] as { mid: number; c: string };
      expect(c).to.match(new RegExp(`^file/${kind}/[0-9a-f-]{36}\\${extension}$`));
      for (const client of [overWs, overTls]) {
        const frame = await client.next((received) => received.type === frameType && received.fields['mid'] === mid);
        expect(frame.fields).to.deep.include({ t: kind, c });
      }
      const fetched = await fetchFile(c, receiver);
      expect(fetched.status, c).to.equal(200);
      expect(fetched.bytes.equals(bytes)).to.equal(true);
    }
    overWs.close();
    overTls.close();
  });

  it('serves the path in c to the people in the room only, and the form eschat wrote before (no extension) too', async () => {
    const sent = await post('/m/image', { image: file(PNG, 'p.png', 'image/png'), to: String(receiver.id) });
    const { c } = sent['message'] as { c: string };
    const id = c.slice('file/image/'.length, -'.png'.length);
    expect((await fetchFile(c, receiver)).bytes.equals(PNG)).to.equal(true);
    expect((await fetchFile(`file/image/${id}`, receiver)).bytes.equals(PNG), 'the old form').to.equal(true);
    for (const [path, user] of [
      [c, outsider],
      [`file/image/${id}`, outsider],
      [`file/image/${id}.amr`, receiver],
      [`file/audio/${id}.amr`, receiver],
    ] as const) {
      const denied = await fetchFile(path, user);
      expect(denied.status, path).to.equal(404);
      expect(responseOf(denied.text)).to.deep.equal({ status: 404, reason: 'Not Found' });
    }
  });

  it('takes a file part without a Content-Type for a file (RFC 7578), on /m and /gm', async () => {
    const group = (await t.client.json('POST', '/v1/groups', { name: 'untyped', members: [receiver.id] }, sender.token)).body as V1Room;
    const direct = await postWithoutPartTypes(
      t,
      '/m/image',
      { image: { filename: 'a.png', bytes: PNG }, to: String(receiver.id) },
      sender.token,
    );
    expect(responseOf(direct.text)).to.include({ status: 0 });
    const toGroup = await postWithoutPartTypes(
      t,
      '/gm/audio',
      { audio: { filename: 'a.amr', bytes: AMR }, g_id: String(group.id) },
      sender.token,
    );
    expect(responseOf(toGroup.text)).to.include({ status: 0 });
    const { c } = responseOf(toGroup.text)['message'] as { c: string };
    expect((await fetchFile(c, receiver)).bytes.equals(AMR)).to.equal(true);
    const seedName = await postWithoutPartTypes(
      t,
      '/m/audio',
      { filename: { filename: '10010.amr', bytes: AMR }, to: String(receiver.id) },
      sender.token,
    );
    expect(responseOf(seedName.text)).to.include({ status: 0 });
  });
});
