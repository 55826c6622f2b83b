import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AMR, MP4, PNG, file, postMultipart, postWithoutPartTypes } from '../../support/media.js';
import { errorCode, v1Group, v1History, type V1Message, type V1Room } from '../../support/rooms.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { v1User, type TestUser } from '../../support/users.js';

describe('v1 media', () => {
  let t: TestServer;
  let ann: TestUser;
  let bob: TestUser;
  let room: V1Room;
  before(async () => {
    t = await startTestServer({ ESCHAT_UPLOAD_LIMIT: String(64 * 1024) });
    [ann, bob] = [await v1User(t, 'ann'), await v1User(t, 'bob')];
    room = await v1Group(t, ann, 'media', [bob]);
  });
  after(() => t.stop());

  const upload = async (parts: Parameters<typeof postMultipart>[2], token = ann.token, roomId = room.id) => {
    const answer = await postMultipart(t, `/v1/rooms/${roomId}/media`, parts, token);
    return { status: answer.status, body: JSON.parse(answer.text) as unknown };
  };
  const download = (path: string, token: string, headers: Record<string, string> = {}) =>
    t.client.request('GET', path, { headers: { 'x-session-id': token, ...headers } });

  it('sends an image as a message with kind and url, whose bytes come back with their type and length', async () => {
    const sent = await upload({ file: file(PNG, 'dot.png', 'image/png') });
    expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
    const message = sent.body as V1Message;
    expect(message).to.include({ kind: 'image', user_id: ann.id, room_id: room.id });
    expect(message.url).to.match(/^\/v1\/media\/[0-9a-f-]{36}$/);
    expect(message.text).to.equal(message.url);
    expect((await v1History(t, bob, room.id)).at(-1)).to.deep.equal(message);

    const bytes = await download(message.url!, bob.token);
    expect(bytes.status).to.equal(200);
    expect(bytes.headers['content-type']).to.equal('image/png');
    expect(bytes.headers['content-length']).to.equal(String(PNG.length));
    expect(bytes.bytes.equals(PNG)).to.equal(true);
  });

  it('serves one range of audio with 206 and Content-Range, and 416 past the end', async () => {
    const message = (await upload({ file: file(AMR, 'voice.amr', 'audio/AMR'), kind: 'audio' })).body as V1Message;
    expect(message.kind).to.equal('audio');
    const part = await download(message.url!, bob.token, { range: 'bytes=6-37' });
    expect(part.status).to.equal(206);
    expect(part.headers['content-range']).to.equal(`bytes 6-37/${AMR.length}`);
    expect(part.headers['content-length']).to.equal('32');
    expect(part.headers['content-type']).to.equal('audio/amr');
    expect(part.bytes.equals(AMR.subarray(6, 38))).to.equal(true);
    const tail = await download(message.url!, bob.token, { range: 'bytes=-10' });
    expect(tail.bytes.equals(AMR.subarray(AMR.length - 10))).to.equal(true);
    const past = await download(message.url!, bob.token, { range: `bytes=${AMR.length}-` });
    expect(past.status).to.equal(416);
    expect(past.headers['content-range']).to.equal(`bytes */${AMR.length}`);
  });

  it('judges the kind from the bytes when none is given: an MP4 is a video', async () => {
    const message = (await upload({ file: file(MP4, 'clip.mp4', 'video/mp4'), client_id: 'clip-1' })).body as V1Message;
    expect(message.kind).to.equal('video');
    expect((await download(message.url!, ann.token)).headers['content-type']).to.equal('video/mp4');
  });

  it('refuses bytes that are not the kind they claim, a missing file, and a file over the limit', async () => {
    expect(errorCode(await upload({ file: file(PNG), kind: 'audio' }))).to.equal('invalid_media');
    expect(errorCode(await upload({ file: file(Buffer.from('<html>not an image</html>')) }))).to.equal('invalid_media');
    expect(errorCode(await upload({ file: file(PNG), kind: 'document' }))).to.equal('invalid_media');
    expect(errorCode(await upload({ other: file(PNG) }))).to.equal('missing_file');
    const big = await upload({ file: file(Buffer.concat([PNG, Buffer.alloc(70 * 1024)])) });
    expect(big.status).to.equal(413);
    expect(errorCode(big)).to.equal('payload_too_large');
  });

  it('a retried upload with the same client_id answers the first message and keeps one copy of the bytes', async () => {
    const mediaDir = join(t.dataDir, 'media');
    const first = (await upload({ file: file(PNG), client_id: 'same-upload' })).body as V1Message;
    const stored = readdirSync(mediaDir).length;
    const again = (await upload({ file: file(PNG), client_id: 'same-upload' })).body as V1Message;
    expect(again).to.deep.equal(first);
    expect(readdirSync(mediaDir)).to.have.length(stored);
  });

  it('refuses a client_id reused for other bytes, another kind or another room with 422 client_id_reused, storing no bytes', async () => {
    const mediaDir = join(t.dataDir, 'media');
    const other = await v1Group(t, ann, 'other media', [bob]);
    const first = (await upload({ file: file(PNG), client_id: 'reused-upload' })).body as V1Message;
    const stored = readdirSync(mediaDir).length;
    const refusals = [
      await upload({ file: file(AMR), client_id: 'reused-upload' }),
      await upload({ file: file(MP4), kind: 'audio', client_id: 'reused-upload' }),
      await upload({ file: file(PNG), client_id: 'reused-upload' }, ann.token, other.id),
    ];
    expect(refusals.map((answer) => `${answer.status} ${errorCode(answer)}`)).to.deep.equal(Array(3).fill('422 client_id_reused'));
    expect((await upload({ file: file(PNG, 'again.png', 'image/png'), client_id: 'reused-upload' })).body).to.deep.equal(first);
    expect(readdirSync(mediaDir)).to.have.length(stored);
  });

  it('takes a file part without a Content-Type for a file (RFC 7578)', async () => {
    const answer = await postWithoutPartTypes(
      t,
      `/v1/rooms/${room.id}/media`,
      { file: { filename: 'a.amr', bytes: AMR }, kind: 'audio' },
      ann.token,
    );
    expect(answer.status, answer.text).to.equal(200);
    const message = JSON.parse(answer.text) as V1Message;
    expect(message).to.include({ kind: 'audio' });
    expect((await download(message.url!, bob.token)).bytes.equals(AMR)).to.equal(true);
  });

  it('stores nothing for a sender who is not in the room', async () => {
    const cid = await v1User(t, 'cid');
    const before = readdirSync(join(t.dataDir, 'media')).length;
    expect(errorCode(await upload({ file: file(PNG) }, cid.token))).to.equal('not_a_member');
    expect(errorCode(await upload({ file: file(PNG) }, cid.token, 999_999))).to.equal('room_not_found');
    expect(readdirSync(join(t.dataDir, 'media'))).to.have.length(before);
  });

  it('answers 404 media_not_found for unknown ids', async () => {
    for (const id of ['nope', '00000000-0000-4000-8000-000000000000', '..%2F..%2Fevents.db']) {
      const answer = await download(`/v1/media/${id}`, ann.token);
      expect(answer.status, id).to.equal(404);
      expect(JSON.parse(answer.text)).to.deep.equal({ error: { code: 'media_not_found' } });
    }
  });
});
