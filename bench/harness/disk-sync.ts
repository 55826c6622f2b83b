import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Samples } from './percentiles.js';

/** About what a one-message commit adds to the log's write-ahead file. */
const APPEND_BYTES = 200;

/**
 * What durability costs on this disk: `count` times, a 200-byte append to a file in a fresh
 * directory beside the servers' data directories (the same file system), then `fdatasync`,
 * timed together, one after another; microseconds, added to `samples`. The floor under any
 * durable send.
 */
export function measureDiskSync(count: number, samples = new Samples()): Samples {
  const dir = mkdtempSync(join(tmpdir(), 'eschat-bench-sync-'));
  const fd = openSync(join(dir, 'sync-probe'), 'a');
  const record = Buffer.alloc(APPEND_BYTES, 'x');
  try {
    for (let i = 0; i < count; i++) {
      const started = process.hrtime.bigint();
      writeSync(fd, record);
      fdatasyncSync(fd);
      samples.add(Number(process.hrtime.bigint() - started) / 1000);
    }
    return samples;
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}
