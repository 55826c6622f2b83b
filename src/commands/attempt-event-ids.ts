import { createHash } from 'node:crypto';
import type { EventId, Revision, StreamName } from '../events/recorded-event.js';

/** eschat's own namespace for name-based event ids (a random UUID, fixed once). */
const NAMESPACE = Buffer.from('6f1c2a7e-3b0d-4f8e-9a51-2d7c4e0b9f36'.replaceAll('-', ''), 'hex');

/**
 * The ids of the events one command attempt appends at `expected`: the same for the same
 * correlation id, stream, expected revision and index, so an append retried after an unknown
 * outcome (a timeout, a dropped connection) is recognised by EventStoreDB as the one that
 * landed instead of refused as a conflict. Only for an exact expected revision: two different
 * appends at one revision of one stream cannot both land, so equal ids never name two events.
 * (An `any` append, which a reused correlation id could repeat with other content, keeps
 * random ids, fixed by the adapter for its own retries.)
 */
export function attemptEventIds(correlationId: string, stream: StreamName, expected: Revision | 'no_stream', count: number): EventId[] {
  return Array.from({ length: count }, (_, index) => uuidV5(`${correlationId}\n${stream}\n${String(expected)}\n${index}`));
}

/** RFC 9562 §5.5: SHA-1 of namespace and name, with the version and variant bits set. */
function uuidV5(name: string): string {
  const bytes = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
