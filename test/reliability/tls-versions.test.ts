import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type SecureVersion } from 'node:tls';
import { WIRE_VERSION, sendClientHello } from '../support/client-hello.js';
import { startTestServer, testCertificates, type TestServer } from '../support/test-server.js';

/** 70: the alert a server sends for a protocol version it will not speak (RFC 5246). */
const PROTOCOL_VERSION_ALERT = 70;

/** A real TLS client limited to some versions: the protocol it agreed, or the error code. */
function negotiate(port: number, minVersion: SecureVersion, maxVersion: SecureVersion): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      ca: readFileSync(join(testCertificates, 'ca.crt')),
      minVersion,
      maxVersion,
    });
    socket.once('secureConnect', () => {
      resolve(socket.getProtocol() ?? 'unknown');
      socket.destroy();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('TLS protocol versions on both listeners', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  const ports = (): Array<[string, number]> => [
    ['HTTPS', t.server.port],
    ['IM', t.server.imPort],
  ];

  it('speaks TLS 1.2 and 1.3', async () => {
    for (const [name, port] of ports()) {
      expect(await negotiate(port, 'TLSv1.2', 'TLSv1.2'), name).to.equal('TLSv1.2');
      expect(await negotiate(port, 'TLSv1.3', 'TLSv1.3'), name).to.equal('TLSv1.3');
    }
  });

  it('refuses a TLS 1.1 client with a protocol_version alert (when this OpenSSL can offer TLS 1.1 at all)', async () => {
    for (const [name, port] of ports()) {
      const outcome = await negotiate(port, 'TLSv1', 'TLSv1.1');
      // Some OpenSSL builds refuse to offer anything below TLS 1.2: the client fails before a byte
      // is sent, and only the hand-written hellos of the next test can reach the server.
      if (outcome === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE')
        console.log(`      TLS: this OpenSSL cannot offer TLS 1.1 (${name}); see the hand-written hellos`);
      else expect(outcome, name).to.equal('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
    }
  });

  it('answers hand-written TLS 1.0 and 1.1 hellos with a protocol_version alert, and the same hello for TLS 1.2 with a ServerHello', async () => {
    for (const [name, port] of ports()) {
      for (const version of [WIRE_VERSION['TLSv1.0'], WIRE_VERSION['TLSv1.1']]) {
        expect(await sendClientHello(port, version), `${name} 0x${version.toString(16)}`).to.deep.equal({
          kind: 'alert',
          description: PROTOCOL_VERSION_ALERT,
        });
      }
      expect(await sendClientHello(port, WIRE_VERSION['TLSv1.2']), name).to.deep.equal({
        kind: 'server hello',
        version: WIRE_VERSION['TLSv1.2'],
      });
    }
    console.log('      TLS: HTTPS and IM ports refuse TLS 1.0 and 1.1 hellos, answer TLS 1.2 and 1.3');
  });
});
