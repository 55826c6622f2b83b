import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run test:unit` runs the files named `*.unit.test.ts`: those that start no server and
 * spawn no process, so the run stays fast. This keeps the names true both ways: a unit file
 * that comes to start a server (directly or through a helper), or a test that starts none but
 * is not named a unit test, fails here.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** What starts a server or another process, followed through the test helpers. */
const SERVERS = ['test/support/test-server.ts', 'test/support/spawn-server.ts', 'test/store/esdb/stand-in-server.ts'];
const PROCESSES = /from ['"]node:child_process['"]/;
const IMPORT = /(?:from|import)\s*\(?\s*'(\.[^']+)'/g;

function testFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    return entry.isDirectory() ? testFiles(file) : entry.name.endsWith('.test.ts') ? [file] : [];
  });
}

/** Whether `file`, or a test helper it imports (transitively), starts a server or a process. */
function startsSomething(file: string, seen = new Set<string>()): boolean {
  if (SERVERS.includes(file)) return true;
  if (seen.has(file)) return false;
  seen.add(file);
  const text = readFileSync(path.join(root, file), 'utf8');
  if (PROCESSES.test(text)) return true;
  for (const [, specifier] of text.matchAll(IMPORT)) {
    const target = path.posix.join(path.posix.dirname(file), specifier!).replace(/\.js$/, '.ts');
    // Only helpers that exist: a test may hold import lines as text (the layer rule's test does).
    if (target.startsWith('test/') && existsSync(path.join(root, target)) && startsSomething(target, seen)) return true;
  }
  return false;
}

describe('the unit test run', () => {
  const files = testFiles('test');

  it('finds the test files', () => {
    expect(files).to.include('test/unit-tests.unit.test.ts').and.to.include('test/app.test.ts');
  });

  it('names a test `*.unit.test.ts` exactly when it starts no server and no process', () => {
    const misnamed = files.filter((file) => file.endsWith('.unit.test.ts') === startsSomething(file));
    expect(misnamed, 'rename these: *.unit.test.ts starts nothing, *.test.ts starts a server or a process').to.deep.equal([]);
  });
});
