import type { Filter } from './read-store.js';

/**
 * The equality conditions of a filter, which Mongo copies into the document an upsert
 * creates: `{ room: 9, 'to.user': 3, seq: { $gt: 1 } }` seeds `room` and `to.user`. Plain
 * values, `$eq` and the members of a top-level `$and` count; operators and regexes do not.
 */
export function equalityFields(filter: Filter): Array<[path: string, value: unknown]> {
  const fields: Array<[string, unknown]> = [];
  collectEqualities(filter, fields);
  return fields;
}

function collectEqualities(filter: Filter, out: Array<[string, unknown]>): void {
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(condition)) {
      for (const clause of condition) if (isRecord(clause)) collectEqualities(clause, out);
    } else if (!key.startsWith('$')) {
      const value = equalityValue(condition);
      if (value.found) out.push([key, value.value]);
    }
  }
}

function equalityValue(condition: unknown): { found: true; value: unknown } | { found: false } {
  if (condition instanceof RegExp) return { found: false };
  if (!isRecord(condition) || Array.isArray(condition) || condition instanceof Date) return { found: true, value: condition };
  const keys = Object.keys(condition);
  if (keys.length === 0 || !keys.every((key) => key.startsWith('$'))) return { found: true, value: condition };
  return Object.hasOwn(condition, '$eq') ? { found: true, value: condition.$eq } : { found: false };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
