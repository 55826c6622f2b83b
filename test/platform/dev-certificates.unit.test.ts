import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import forge from 'node-forge';
import { ensureDevCertificates, type DevCertificates } from '../../src/platform/dev-certificates.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

function certificate(file: string): X509Certificate {
  return new X509Certificate(readFileSync(file));
}

function daysLeft(cert: X509Certificate): number {
  return (Date.parse(cert.validTo) - Date.now()) / DAY_MS;
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    ['ca.crt', 'ca.key', 'server.crt', 'server.key'].map((name) => [name, readFileSync(path.join(dir, name), 'utf8')]),
  );
}

describe('ensureDevCertificates', () => {
  let root: string;
  let dir: string;
  let first: DevCertificates;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'eschat-certs-'));
    dir = path.join(root, 'priv', 'ssl');
    first = await ensureDevCertificates(dir, ['chat.test', '192.0.2.7']);
  });

  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the directory and the files, leaving nothing else behind', () => {
    expect(first).to.deep.equal({
      certFile: path.join(dir, 'server.crt'),
      keyFile: path.join(dir, 'server.key'),
      caFile: path.join(dir, 'ca.crt'),
      created: true,
    });
    expect(readdirSync(dir).sort()).to.deep.equal(['ca.crt', 'ca.key', 'server.crt', 'server.key']);
  });

  it('writes the private keys readable by the owner only', () => {
    for (const name of ['server.key', 'ca.key']) {
      expect(statSync(path.join(dir, name)).mode & 0o777, name).to.equal(0o600);
    }
  });

  it('makes a ten-year SHA-256 CA', () => {
    const ca = certificate(first.caFile);
    expect(ca.ca).to.equal(true);
    expect(ca.checkIssued(ca)).to.equal(true);
    expect(daysLeft(ca)).to.be.within(3640, 3651);
    const parsed = forge.pki.certificateFromPem(readFileSync(first.caFile, 'utf8'));
    expect(parsed.siginfo.algorithmOid).to.equal(forge.pki.oids['sha256WithRSAEncryption']);
    expect(parsed.getExtension('keyUsage')).to.deep.include({ keyCertSign: true, critical: true });
  });

  it('makes a two-year RSA 2048 server certificate for localhost and the given names, signed by the CA', () => {
    const server = certificate(first.certFile);
    const ca = certificate(first.caFile);
    expect(server.ca).to.equal(false);
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).to.equal(true);
    expect(server.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
    expect(server.keyUsage).to.include(SERVER_AUTH);
    expect(daysLeft(server)).to.be.within(720, 731);
    expect(server.checkHost('localhost')).to.equal('localhost');
    expect(server.checkHost('chat.test')).to.equal('chat.test');
    expect(server.checkHost('example.com')).to.equal(undefined);
    for (const ip of ['127.0.0.1', '::1', '192.0.2.7']) expect(server.checkIP(ip), ip).to.not.equal(undefined);
  });

  it('reuses existing files on the next call', async () => {
    const before = snapshot(dir);
    const second = await ensureDevCertificates(dir, ['chat.test']);
    expect(second).to.deep.equal({ ...first, created: false });
    expect(snapshot(dir)).to.deep.equal(before);
  });

  describe('over TLS', () => {
    let server: Server;
    let port: number;

    before(async () => {
      server = createServer({ cert: readFileSync(first.certFile), key: readFileSync(first.keyFile) }, (_req, res) => {
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });

    after(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    function get(options: { ca?: Buffer; servername?: string }): Promise<string> {
      return new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/health', agent: false, ...options }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
    }

    it('is trusted by a client that trusts the CA, as localhost and as 127.0.0.1', async () => {
      const ca = readFileSync(first.caFile);
      expect(await get({ ca, servername: 'localhost' })).to.equal('ok');
      expect(await get({ ca })).to.equal('ok');
    });

    it('is refused with a certificate error by a client that does not', async () => {
      const error: unknown = await get({ servername: 'localhost' }).then(
        () => expect.fail('the request should have failed'),
        (caught: unknown) => caught,
      );
      expect(error)
        .to.have.property('code')
        .that.matches(/CERT|VERIFY|SIGNATURE/);
    });
  });

  describe('regeneration', () => {
    let scratch: string;

    beforeEach(() => {
      scratch = mkdtempSync(path.join(tmpdir(), 'eschat-certs-'));
    });

    afterEach(() => {
      rmSync(scratch, { recursive: true, force: true });
    });

    it('creates one set when two callers race, and both get it', async () => {
      const results = await Promise.all([ensureDevCertificates(scratch), ensureDevCertificates(scratch)]);
      expect(results.map((result) => result.created).sort()).to.deep.equal([false, true]);
      expect(readdirSync(scratch).sort()).to.deep.equal(['ca.crt', 'ca.key', 'server.crt', 'server.key']);
      expect(certificate(path.join(scratch, 'server.crt')).checkIssued(certificate(path.join(scratch, 'ca.crt')))).to.equal(true);
    });

    it('issues a new server certificate for a new host name, keeping the CA', async () => {
      await ensureDevCertificates(scratch);
      const before = snapshot(scratch);
      const result = await ensureDevCertificates(scratch, ['new.test']);
      const after = snapshot(scratch);
      expect(result.created).to.equal(true);
      expect([after['ca.crt'], after['ca.key']]).to.deep.equal([before['ca.crt'], before['ca.key']]);
      expect(after['server.crt']).to.not.equal(before['server.crt']);
      const server = certificate(result.certFile);
      expect(server.checkHost('new.test')).to.equal('new.test');
      expect(server.verify(certificate(result.caFile).publicKey)).to.equal(true);
    });
  });
});
