import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pick } from '../harness/bench-options.js';
import { figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { HttpClient } from '../harness/http-client.js';
import { expectImSuccess } from '../harness/im-answer.js';
import { checkProbe } from '../harness/log-probe.js';
import { residentBytes } from '../harness/process-memory.js';
import { startServer } from '../harness/server-process.js';
import { cachedLog } from '../log/cached-log.js';
import { QUICK_REPLAY_EVENTS, REPLAY_EVENTS } from './replay.js';

const MIB = 1024 * 1024;

/**
 * `eschat serve` on the embedded default, on a copy of the million-event log of `replay`:
 * the time from spawning the process until `GET /health` answers, then the probe user's
 * contacts and messages must be what the log says.
 */
export const startupBench: Bench = {
  name: 'startup',
  async run(options) {
    const { file, manifest } = await cachedLog(pick(options, REPLAY_EVENTS, QUICK_REPLAY_EVENTS));
    const dataDir = mkdtempSync(join(tmpdir(), 'eschat-bench-startup-'));
    // A copy: the server writes beside its log (WAL, delivery state), and the cache stays pristine.
    copyFileSync(file, join(dataDir, 'events.db'));
    const started = performance.now();
    const server = await startServer({ dataDir, tls: options.tls, profileDir: options.profileDir });
    const http = new HttpClient(server.httpUrl);
    try {
      expectImSuccess(await http.get('/health'), 'startup: GET /health');
      const seconds = (performance.now() - started) / 1000;
      const memory = residentBytes(server.pid) / MIB;
      await checkProbe(http, manifest, 'startup');
      return [
        figure('startup', 'start to serving', seconds, 's', null, { op: '<=', limit: 10, of: 'value' }),
        figure('startup', 'server memory once serving', memory, 'MiB', null),
        figure('startup', 'events in the log', manifest.events, 'events', null),
      ];
    } finally {
      http.close();
      await server.stop();
    }
  },
};
