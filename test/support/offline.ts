import { expect } from 'chai';
import { inflateRawSync } from 'node:zlib';
import type { TomlFrame } from '../../src/codecs/im/toml-frame.js';
import { readFrames } from '../../src/codecs/im/toml-reader.js';
import type { TestServer } from './test-server.js';
import { responseOf } from './toml.js';

/**
 * `GET /offline` read as simple_im's reference client reads it: the body split on CR LF into
 * exactly two parts, the TOML envelope then raw DEFLATE of the frames, each followed by CR LF.
 */
export async function getOffline(t: Pick<TestServer, 'client'>, token: string): Promise<TomlFrame[]> {
  const answer = await t.client.request('GET', '/offline', { headers: { cookie: `token=${token}` } });
  expect(answer.status).to.equal(200);
  expect(answer.headers['content-type']).to.equal('application/toml; charset=utf-8');
  const parts = split(answer.bytes, Buffer.from('\r\n'));
  expect(parts, 'the body splits on CR LF into exactly two parts').to.have.length(2);
  expect(responseOf(parts[0]!.toString())).to.deep.equal({ status: 0 });
  const frames = inflateRawSync(parts[1]!).toString('utf8');
  expect(frames === '' || frames.endsWith('\r\n'), 'each frame is followed by CR LF').to.equal(true);
  return frames
    .split('\r\n')
    .filter((line) => line !== '')
    .flatMap((line) => readFrames(line));
}

export async function deleteOffline(t: Pick<TestServer, 'client'>, token: string): Promise<void> {
  const answer = await t.client.request('DELETE', '/offline', { headers: { cookie: `token=${token}` } });
  expect(responseOf(answer.text)).to.deep.equal({ status: 0 });
}

function split(bytes: Buffer, separator: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let at = bytes.indexOf(separator); at >= 0; at = bytes.indexOf(separator, start)) {
    parts.push(bytes.subarray(start, at));
    start = at + separator.length;
  }
  parts.push(bytes.subarray(start));
  return parts;
}
