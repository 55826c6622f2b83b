import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pick } from '../harness/bench-options.js';
import { figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { timedStart } from '../harness/timed-start.js';
import { cachedLog } from '../log/cached-log.js';
import { QUICK_REPLAY_EVENTS, REPLAY_EVENTS } from './replay.js';

/**
 * `eschat serve` on the embedded default on a copy of the million-event log of `replay`,
 * twice on one data directory: the first start (no `read-models.db` yet: every projection is
 * built from the log before it serves), then, after a graceful stop, the normal restart (the
 * read models resume from their checkpoints). Each is timed from spawning the process until
 * `GET /health` answers, then the probe user's contacts and messages must be what the log says.
 */
export const startupBench: Bench = {
  name: 'startup',
  async run(options) {
    const { file, manifest } = await cachedLog(pick(options, REPLAY_EVENTS, QUICK_REPLAY_EVENTS));
    const dataDir = mkdtempSync(join(tmpdir(), 'eschat-bench-startup-'));
    try {
      // A copy: the server writes beside its log (WAL, read models, delivery state), and the cache stays pristine.
      copyFileSync(file, join(dataDir, 'events.db'));
      const first = await timedStart({ dataDir, tls: options.tls, profileDir: options.profileDir }, manifest, 'startup (first start)');
      await first.server.stop();
      const restart = await timedStart({ dataDir, tls: options.tls, profileDir: options.profileDir }, manifest, 'startup (restart)');
      await restart.server.stop();
      return [
        figure('startup', 'start to serving (read models on disk)', restart.seconds, 's', null, { op: '<=', limit: 1, of: 'value' }),
        figure('startup', 'server memory once serving', restart.residentMiB, 'MiB', null),
        figure('startup', 'first start (builds read-models.db)', first.seconds, 's', null),
        figure('startup', 'server memory once serving (first start)', first.residentMiB, 'MiB', null),
        figure('startup', 'events in the log', manifest.events, 'events', null),
      ];
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
