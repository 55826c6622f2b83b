/**
 * Development TLS material: a local CA and a server certificate for localhost signed by it,
 * created on first start so that `npm start` serves HTTPS and
 * `curl --cacert priv/ssl/ca.crt https://localhost:8080/health` verifies. Never for production:
 * the CA key sits on disk next to the certificates.
 */

import { X509Certificate, createPrivateKey, generateKeyPair, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import forge from 'node-forge';

export interface DevCertificates {
  certFile: string;
  keyFile: string;
  caFile: string;
  /** True when this call wrote a new server certificate (and a new CA if there was none). */
  created: boolean;
}

interface Files {
  certFile: string;
  keyFile: string;
  caFile: string;
  caKeyFile: string;
}

interface Authority {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
  keyPem: string;
  /** False when an existing CA was reused: it must not be rewritten. */
  isNew: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_DAYS = 3650;
/** Apple platforms reject TLS server certificates valid for more than 825 days, even from a user-trusted CA. */
const SERVER_VALIDITY_DAYS = 730;
/** A certificate this close to expiry is replaced at start rather than failing mid-run. */
const RENEW_BEFORE_DAYS = 30;
/** Generation takes well under a second; a lock this old was left by a process that died. */
const LOCK_STALE_MS = 60_000;
const DEFAULT_NAMES = ['localhost', '127.0.0.1', '::1'];

/**
 * Returns the development certificates in `dir`, creating them when missing. Existing files are
 * reused while the server certificate is valid, signed by `ca.crt`, matches `server.key`, and
 * covers localhost and `hostNames`; otherwise a new server certificate is issued, by the existing
 * CA when `ca.key` is there, so a CA the developer already trusts stays trusted.
 */
export async function ensureDevCertificates(dir: string, hostNames: string[] = []): Promise<DevCertificates> {
  const files = filesIn(path.resolve(dir));
  const names = subjectNames(hostNames);
  const result = (created: boolean): DevCertificates => ({
    certFile: files.certFile,
    keyFile: files.keyFile,
    caFile: files.caFile,
    created,
  });
  if (await usable(files, names)) return result(false);
  await mkdir(path.dirname(files.certFile), { recursive: true });
  return withLock(path.join(path.dirname(files.certFile), '.generating.lock'), async () => {
    // Another process may have created them while this one waited for the lock: use its files.
    if (await usable(files, names)) return result(false);
    await generate(files, names);
    return result(true);
  });
}

function filesIn(dir: string): Files {
  return {
    certFile: path.join(dir, 'server.crt'),
    keyFile: path.join(dir, 'server.key'),
    caFile: path.join(dir, 'ca.crt'),
    caKeyFile: path.join(dir, 'ca.key'),
  };
}

function subjectNames(hostNames: string[]): string[] {
  const extra = hostNames.map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  return [...new Set([...DEFAULT_NAMES, ...extra])];
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function errorCode(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}

/** Whether the files on disk form a set a TLS client trusting `ca.crt` accepts for every name. */
async function usable(files: Files, names: string[]): Promise<boolean> {
  const [certPem, keyPem, caPem] = await Promise.all([files.certFile, files.keyFile, files.caFile].map(readIfExists));
  if (certPem === undefined || keyPem === undefined || caPem === undefined) return false;
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caPem);
    return (
      cert.checkIssued(ca) &&
      cert.verify(ca.publicKey) &&
      cert.checkPrivateKey(createPrivateKey(keyPem)) &&
      Date.parse(cert.validTo) - Date.now() > RENEW_BEFORE_DAYS * DAY_MS &&
      names.every((name) => covers(cert, name))
    );
  } catch {
    // Malformed files (a hand edit, a foreign format) are replaced like missing ones.
    return false;
  }
}

function covers(cert: X509Certificate, name: string): boolean {
  if (isIP(name) !== 0) return cert.checkIP(name) !== undefined;
  // A wildcard name is covered when a name it stands for is.
  return cert.checkHost(name.replace(/^\*\./, 'wildcard-check.')) !== undefined;
}

/**
 * Serializes generation between processes (two `eschat serve` started together) with an
 * exclusive lock file. A stale lock (its holder died) is broken by age. Two waiters breaking the
 * same stale lock at once could both generate; the temp-file-and-rename writes keep every file
 * whole, and should the two sets interleave, `usable` rejects the mix and the next start replaces it.
 */
async function withLock<T>(lockFile: string, work: () => Promise<T>): Promise<T> {
  await acquire(lockFile);
  try {
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}

async function acquire(lockFile: string): Promise<void> {
  for (;;) {
    try {
      await (await open(lockFile, 'wx')).close();
      return;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    if (await isStale(lockFile)) await rm(lockFile, { force: true });
    else await sleep(50);
  }
}

async function isStale(lockFile: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(lockFile)).mtimeMs > LOCK_STALE_MS;
  } catch (error) {
    // Released between our open and stat: try again at once.
    if (errorCode(error) === 'ENOENT') return true;
    throw error;
  }
}

async function generate(files: Files, names: string[]): Promise<void> {
  const authority = (await existingAuthority(files)) ?? (await newAuthority());
  const server = await keyPair();
  const serverCert = serverCertificate(authority, server.publicKey, names);
  // The CA first and the server certificate last, so a concurrent reader never sees a server
  // certificate whose CA is not on disk yet (and `usable` rejects any mismatched set).
  if (authority.isNew) {
    await writeAtomically(files.caKeyFile, authority.keyPem, 0o600);
    await writeAtomically(files.caFile, forge.pki.certificateToPem(authority.cert), 0o644);
  }
  await writeAtomically(files.keyFile, server.privateKeyPem, 0o600);
  await writeAtomically(files.certFile, forge.pki.certificateToPem(serverCert), 0o644);
}

/** The CA on disk, if it is readable, has its key, and outlives a new server certificate. */
async function existingAuthority(files: Files): Promise<Authority | undefined> {
  const [certPem, keyPem] = await Promise.all([readIfExists(files.caFile), readIfExists(files.caKeyFile)]);
  if (certPem === undefined || keyPem === undefined) return undefined;
  try {
    const ca = new X509Certificate(certPem);
    const outlivesServer = Date.parse(ca.validTo) > Date.now() + SERVER_VALIDITY_DAYS * DAY_MS;
    if (!ca.ca || !outlivesServer || !ca.checkPrivateKey(createPrivateKey(keyPem))) return undefined;
    return { cert: forge.pki.certificateFromPem(certPem), key: forge.pki.privateKeyFromPem(keyPem), keyPem, isNew: false };
  } catch {
    return undefined;
  }
}

const generateRsaKeyPair = promisify(generateKeyPair);

interface KeyPair {
  /** PKCS#8, as written to disk. */
  privateKeyPem: string;
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
}

/**
 * Node's native RSA key generation (off the event loop, milliseconds) instead of forge's pure
 * JavaScript one (seconds); forge only builds and signs the certificates.
 */
async function keyPair(): Promise<KeyPair> {
  const pems = await generateRsaKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    privateKeyPem: pems.privateKey,
    publicKey: forge.pki.publicKeyFromPem(pems.publicKey),
    privateKey: forge.pki.privateKeyFromPem(pems.privateKey),
  };
}

async function newAuthority(): Promise<Authority> {
  const keys = await keyPair();
  const subject = [
    { name: 'commonName', value: 'eschat development CA' },
    { name: 'organizationName', value: 'eschat development' },
  ];
  const cert = unsignedCertificate(keys.publicKey, CA_VALIDITY_DAYS);
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    // pathLenConstraint 0: this CA signs server certificates only, never another CA.
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert, key: keys.privateKey, keyPem: keys.privateKeyPem, isNew: true };
}

function serverCertificate(authority: Authority, publicKey: forge.pki.rsa.PublicKey, names: string[]): forge.pki.Certificate {
  const cert = unsignedCertificate(publicKey, SERVER_VALIDITY_DAYS);
  cert.setSubject([{ name: 'commonName', value: names[0] ?? 'localhost' }]);
  cert.setIssuer(authority.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // Clients match host names against these, not the common name.
    { name: 'subjectAltName', altNames: names.map(altName) },
    { name: 'subjectKeyIdentifier' },
    // forge's `keyIdentifier: true` would take this certificate's own key; it must be the CA's.
    { name: 'authorityKeyIdentifier', keyIdentifier: authority.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(authority.key, forge.md.sha256.create());
  return cert;
}

/** SubjectAltName entries: type 2 is dNSName, type 7 iPAddress. */
function altName(name: string): { type: number; value?: string; ip?: string } {
  return isIP(name) !== 0 ? { type: 7, ip: name } : { type: 2, value: name };
}

function unsignedCertificate(publicKey: forge.pki.rsa.PublicKey, validityDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumber();
  // Backdated an hour so a client whose clock is a little behind still accepts it.
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + validityDays * DAY_MS);
  return cert;
}

/**
 * 16 random bytes, as hex. The top bit is cleared so the DER integer is positive, and the
 * next one set so it has no leading zero byte (both required of serial numbers).
 */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

/**
 * Writes a temp file in the same directory, then renames it over the target, so readers see the
 * old file or the new one, never a partial one. The temp name keeps the final extension so that
 * a file left by a crash is still covered by .gitignore's `priv/ssl/*.key` and `*.crt` rules.
 */
async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const extension = path.extname(file);
  const temp = `${file.slice(0, -extension.length)}.${randomBytes(6).toString('hex')}.tmp${extension}`;
  try {
    await writeFile(temp, content, { mode, flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
