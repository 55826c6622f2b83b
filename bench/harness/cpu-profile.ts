import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-paths.js';

/** The parts of a V8 `.cpuprofile` a self-time summary reads. */
interface CpuProfile {
  nodes: Array<{ id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
}

const TOP = 25;

/**
 * Where a server's CPU time went, from the `.cpuprofile` files `--cpu-prof` wrote into `dir`:
 * the functions with the most self time, and the same by origin (eschat's code, a dependency,
 * Node itself, the garbage collector). Written to `dir/summary.txt` and returned.
 */
export function summarizeProfiles(dir: string): string {
  const files = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    for (const node of profile.nodes) {
      const hits = node.hitCount ?? 0;
      if (hits === 0) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      const where = shorten(url);
      add(byFunction, `${functionName || '(anonymous)'}${where ? ` ${where}:${lineNumber + 1}` : ''}`, hits);
      add(byOrigin, originOf(functionName, where), hits);
      total += hits;
    }
  }
  const summary = [
    `CPU profile of ${files.length} process(es) in ${dir}: ${total} samples`,
    table('self time by origin', byOrigin, total, 15),
    table(`top ${TOP} functions by self time`, byFunction, total, TOP),
  ].join('\n\n');
  writeFileSync(join(dir, 'summary.txt'), `${summary}\n`);
  return summary;
}

function add(map: Map<string, number>, key: string, hits: number): void {
  map.set(key, (map.get(key) ?? 0) + hits);
}

function shorten(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(repoRoot) ? path.slice(repoRoot.length) : path;
}

/** `(idle)`, `(garbage collector)`, `node:`, a dependency's name, or eschat's own directory. */
function originOf(functionName: string, where: string): string {
  if (where === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (where.startsWith('node:')) return 'node internals';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  if (dependency) return `dependency ${dependency[1]}`;
  const own = /^dist\/src\/([^/]+)/.exec(where);
  return own ? `eschat src/${own[1]}` : where;
}

function table(title: string, map: Map<string, number>, total: number, limit = Infinity): string {
  const rows = [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
  const lines = rows.map(([key, hits]) => `${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
  return `${title}:\n${lines.join('\n')}`;
}
