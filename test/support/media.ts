import type { Answer } from './https-client.js';
import type { TestServer } from './test-server.js';

/** A real 1x1 PNG. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** AMR narrow band as simple_im clients record it: the `#!AMR` header, then 100 frames of 12.2 kbit/s (header byte 0x3c, 31 bytes). */
export const AMR = Buffer.concat([
  Buffer.from('#!AMR\n', 'latin1'),
  ...Array.from({ length: 100 }, (_, i) => Buffer.from([0x3c, ...Array.from({ length: 31 }, (_, j) => (i * 31 + j) % 256)])),
]);

/** An ISO media file: a `ftyp` box of the given major brand, then a free box and an empty mdat. */
export function isoMedia(brand: string): Buffer {
  const box = (type: string, body: Buffer): Buffer => {
    const header = Buffer.alloc(8);
    header.writeUInt32BE(8 + body.length);
    header.write(type, 4, 'latin1');
    return Buffer.concat([header, body]);
  };
  const ftyp = box(
    'ftyp',
    Buffer.concat([Buffer.from(brand, 'latin1'), Buffer.from([0, 0, 2, 0]), Buffer.from(`${brand}isommp41`, 'latin1')]),
  );
  return Buffer.concat([ftyp, box('free', Buffer.alloc(16)), box('mdat', Buffer.alloc(0))]);
}

export const MP4 = isoMedia('isom');
export const JPEG = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9,
]);
export const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
export const WEBP = Buffer.concat([
  Buffer.from('RIFF', 'latin1'),
  Buffer.from([0x1a, 0, 0, 0]),
  Buffer.from('WEBPVP8L', 'latin1'),
  Buffer.from([0x0d, 0, 0, 0, 0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00]),
]);

export interface FilePart {
  filename: string;
  type: string;
  bytes: Uint8Array;
}

/** A multipart/form-data body as a browser or fetch client builds it (undici's FormData). */
export async function multipart(parts: Record<string, string | FilePart>): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, part] of Object.entries(parts)) {
    if (typeof part === 'string') form.append(name, part);
    else form.append(name, new Blob([part.bytes], { type: part.type }), part.filename);
  }
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { body: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type') ?? '' };
}

/** Posts a multipart form with the token as im clients send it (cookie) or v1 clients (X-Session-Id). */
export async function postMultipart(
  t: Pick<TestServer, 'client'>,
  path: string,
  parts: Record<string, string | FilePart>,
  token: string,
): Promise<Answer> {
  const { body, contentType } = await multipart(parts);
  const auth: Record<string, string> = path.startsWith('/v1/') ? { 'x-session-id': token } : { cookie: `token=${token}` };
  return t.client.request('POST', path, { headers: { 'content-type': contentType, ...auth }, body });
}

/**
 * Posts a multipart form built by hand, whose file parts carry no Content-Type header (RFC 7578
 * makes it optional, and simple_im clients may leave it out), with the token as postMultipart.
 */
export function postWithoutPartTypes(
  t: Pick<TestServer, 'client'>,
  path: string,
  parts: Record<string, string | Omit<FilePart, 'type'>>,
  token: string,
): Promise<Answer> {
  const boundary = 'eschat-test-boundary-7578';
  const body = Buffer.concat([
    ...Object.entries(parts).map(([name, part]) =>
      typeof part === 'string'
        ? Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${part}\r\n`)
        : Buffer.concat([
            Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${part.filename}"\r\n\r\n`),
            part.bytes,
            Buffer.from('\r\n'),
          ]),
    ),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  const auth: Record<string, string> = path.startsWith('/v1/') ? { 'x-session-id': token } : { cookie: `token=${token}` };
  return t.client.request('POST', path, { headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...auth }, body });
}

export const file = (bytes: Uint8Array, filename = 'upload.bin', type = 'application/octet-stream'): FilePart => ({
  filename,
  type,
  bytes,
});
