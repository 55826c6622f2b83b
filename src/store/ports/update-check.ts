import type { Update } from './read-store.js';

/**
 * What Mongo refuses in an update document before touching any document, shared by the
 * embedded adapters: operators only, each given an object of paths, no path updated twice
 * (`a` and `a.b` included).
 */
export function checkUpdate(update: Update): void {
  const paths: string[] = [];
  for (const operator in update) {
    const fields = update[operator];
    if (!operator.startsWith('$')) throw new Error(`update document requires atomic operators, found ${operator}`);
    if (!isPlainObject(fields)) throw new Error(`${operator} needs an object of fields`);
    for (const path in fields) paths.push(path);
  }
  if (paths.length === 0) throw new Error('update document requires atomic operators');
  if (paths.length > 1) checkConflicts(paths);
}

function checkConflicts(paths: readonly string[]): void {
  // Updates name a handful of paths: comparing pairs beats allocating sets.
  for (let i = 1; i < paths.length; i++) {
    const path = paths[i] as string;
    for (let j = 0; j < i; j++) {
      const other = paths[j] as string;
      if (path === other || isPrefix(other, path)) throw conflict(other);
      if (isPrefix(path, other)) throw conflict(path);
    }
  }
}

/** True when `path` is `prefix` followed by a dot and more. */
function isPrefix(prefix: string, path: string): boolean {
  return path.length > prefix.length && path.charCodeAt(prefix.length) === 46 /* . */ && path.startsWith(prefix);
}

function conflict(path: string): Error {
  return new Error(`Updating the path '${path}' would create a conflict at '${path}'`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
