import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from './test-server.js';
import { runWorkload, type Workload } from './workload.js';

export interface PreparedData {
  /** A data directory of its own, holding the log a server wrote and then stopped. */
  dataDir: string;
  workload: Workload;
  remove(): void;
}

let original: Promise<Omit<PreparedData, 'remove'>> | null = null;

/** The workload is run once per test run; every caller gets a copy of its data to change as it likes. */
export async function preparedData(): Promise<PreparedData> {
  original ??= (async () => {
    const t = await startTestServer();
    const workload = await runWorkload(t, { users: 8, contactOperations: 12, groups: 3, changesPerGroup: 8, messages: 300, seed: 5 });
    await t.stop(true);
    process.once('exit', () => rmSync(t.dataDir, { recursive: true, force: true }));
    return { dataDir: t.dataDir, workload };
  })();
  const { dataDir, workload } = await original;
  const copy = mkdtempSync(join(tmpdir(), 'eschat-cli-'));
  cpSync(dataDir, copy, { recursive: true });
  return { dataDir: copy, workload, remove: () => rmSync(copy, { recursive: true, force: true }) };
}
