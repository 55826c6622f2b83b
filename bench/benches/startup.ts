import { rmSync } from 'node:fs';
import { pick } from '../harness/bench-options.js';
import { figure } from '../harness/bench-result.js';
import type { Bench } from '../harness/bench.js';
import { timedStart } from '../harness/timed-start.js';
import { cachedLog } from '../log/cached-log.js';
import { servedDataDir } from '../log/served-data-dir.js';
import { QUICK_REPLAY_EVENTS, REPLAY_EVENTS } from './replay.js';

/**
 * `eschat serve` on the embedded default as it restarts: copies of the million-event log of
 * `replay` and of the `read-models.db` a first start built from it (cached, see
 * cached-read-models.ts), so the read models resume from their checkpoints. Timed from
 * spawning the process until `GET /health` answers; then the probe user's contacts and
 * messages must be what the log says. The first start (every projection built from the log)
 * is reported beside it, as measured when the cache was built: `replay` measures that
 * rebuild in every run.
 */
export const startupBench: Bench = {
  name: 'startup',
  async run(options) {
    const log = await cachedLog(pick(options, REPLAY_EVENTS, QUICK_REPLAY_EVENTS));
    const { dataDir, readModels } = await servedDataDir(log, options, 'eschat-bench-startup-');
    try {
      const restart = await timedStart({ dataDir, tls: options.tls, profileDir: options.profileDir }, log.manifest, 'startup');
      await restart.server.stop();
      return [
        figure('startup', 'start to serving (read models on disk)', restart.seconds, 's', null, { op: '<=', limit: 1, of: 'value' }),
        figure('startup', 'server memory once serving', restart.residentMiB, 'MiB', null),
        figure('startup', 'first start, building read-models.db (when cached)', readModels.built.seconds, 's', null),
        figure('startup', 'events in the log', log.manifest.events, 'events', null),
      ];
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
