import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

/** TLS protocol versions as they appear on the wire. */
export const WIRE_VERSION = { 'TLSv1.0': 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303 } as const;

const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const withLength16 = (body: Buffer): Buffer => Buffer.concat([u16(body.length), body]);
const extension = (type: number, body: Buffer): Buffer => Buffer.concat([u16(type), withLength16(body)]);

/**
 * A ClientHello offering exactly one protocol version, written by hand: the local OpenSSL may
 * refuse to offer versions below TLS 1.2 at all, so a real client cannot test a server's floor.
 * Cipher suites and extensions are those an RSA server of every era accepts.
 */
export function clientHello(version: number): Buffer {
  const suites = [0xc02f, 0xc030, 0xc013, 0xc014, 0x009c, 0x002f, 0x0035];
  const extensions = Buffer.concat([
    extension(0x000a, withLength16(Buffer.concat([u16(0x001d), u16(0x0017)]))), // groups: x25519, P-256
    extension(0x000b, Buffer.from([1, 0])), // point formats: uncompressed
    extension(0x000d, withLength16(Buffer.concat([0x0804, 0x0401, 0x0403, 0x0201].map(u16)))), // signature algorithms
    extension(0xff01, Buffer.from([0])), // secure renegotiation
  ]);
  const body = Buffer.concat([
    u16(version),
    randomBytes(32),
    Buffer.from([0]),
    withLength16(Buffer.concat(suites.map(u16))),
    Buffer.from([1, 0]),
    withLength16(extensions),
  ]);
  const handshake = Buffer.concat([Buffer.from([1, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  return Buffer.concat([Buffer.from([22, 3, 1]), withLength16(handshake)]);
}

/** How a server answered a hello: a ServerHello of some version, an alert, or nothing. */
export type HelloAnswer = { kind: 'server hello'; version: number } | { kind: 'alert'; description: number } | { kind: 'closed' };

/** Sends a hand-written ClientHello and reads the first record of the answer. */
export function sendClientHello(port: number, version: number): Promise<HelloAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(clientHello(version)));
    socket.once('data', (record: Buffer) => {
      socket.destroy();
      // Handshake record (22) holding a ServerHello (type 2): its version follows the 4-byte header.
      if (record[0] === 22 && record[5] === 2) resolve({ kind: 'server hello', version: record.readUInt16BE(9) });
      else if (record[0] === 21) resolve({ kind: 'alert', description: record[6] ?? -1 });
      else resolve({ kind: 'closed' });
    });
    socket.once('error', () => resolve({ kind: 'closed' }));
    socket.once('close', () => resolve({ kind: 'closed' }));
  });
}
