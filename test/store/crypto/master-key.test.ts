import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { masterKeyFile, masterKeyOf } from '../../../src/store/crypto/master-key.js';

const MODULE = new URL('../../../src/store/crypto/master-key.js', import.meta.url).href;
/** Data directories each process makes its master key in, at the same instants as the others. */
const DIRECTORIES = 300;
const PROCESSES = 3;

/**
 * A process that waits for the instant `base + 4 ms * k`, then reads (or makes) the master key of
 * `<root>/d<k>`, for each k; prints what it got for each, in hex, or `error`.
 */
const racer = `
  const { masterKeyOf } = await import(${JSON.stringify(MODULE)});
  const [base, root] = [Number(process.argv[1]), process.argv[2]];
  const now = () => performance.timeOrigin + performance.now();
  const got = [];
  for (let k = 0; k < ${DIRECTORIES}; k++) {
    while (now() < base + k * 4);
    try { got.push(masterKeyOf({ dataDir: root + '/d' + k }).toString('hex')); } catch { got.push('error'); }
  }
  process.stdout.write(JSON.stringify(got));`;

function race(base: number, root: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', racer, String(base), root]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(JSON.parse(out) as string[]));
  });
}

describe('the master key file', () => {
  it('is made once, whole, when processes start on a new data directory at the same instant', async function () {
    this.timeout(30_000);
    const root = mkdtempSync(join(tmpdir(), 'eschat-master-'));
    // Made in place, the file was empty until written: a second process read it so and failed to start (about 3 in 100 here).
    const runs = await Promise.all(Array.from({ length: PROCESSES }, () => race(Date.now() + 800, root)));
    const differing = Array.from({ length: DIRECTORIES }, (_, k) => runs.map((got) => got[k])).filter(
      (keys) => new Set(keys).size !== 1 || keys.includes('error'),
    );
    expect(differing).to.deep.equal([]);
    // Nothing left beside it.
    for (let k = 0; k < DIRECTORIES; k++) expect(readdirSync(join(root, `d${k}`))).to.deep.equal(['master.key']);
  });

  it('reads the key a file holds, never writes over it, and refuses a file that holds none', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eschat-master-'));
    const first = masterKeyOf({ dataDir });
    expect(first.length).to.equal(32);
    expect(masterKeyOf({ dataDir }).equals(first)).to.equal(true);
    writeFileSync(masterKeyFile(dataDir), 'not a key\n');
    expect(() => masterKeyOf({ dataDir })).to.throw('does not hold a master key');
    expect(readFileSync(masterKeyFile(dataDir), 'utf8')).to.equal('not a key\n');
  });
});
