import type { LogManifest } from '../log/log-manifest.js';
import { BenchFailure } from './bench-result.js';
import { tokenCookie, type HttpClient } from './http-client.js';
import { expectImSuccess } from './im-answer.js';

/**
 * Asks a server started on a generated log what its probe user sees, in both dialects, and
 * fails unless it is what the generator wrote: the contact list (`GET /contact/version/0`)
 * and the newest page of the probe's direct room (`GET /v1/rooms/:id/messages`).
 */
export async function checkProbe(http: HttpClient, { probe }: LogManifest, what: string): Promise<void> {
  const contacts = expectImSuccess(await http.get('/contact/version/0', tokenCookie(probe.token)), `${what}: GET /contact/version/0`);
  const added = contacts.rows.filter((row) => row.type === 'user').length;
  const removed = contacts.rows.filter((row) => row.type === 'removed').length;
  if (added !== probe.contacts || removed !== probe.removedContacts) {
    throw new BenchFailure(
      `${what}: user ${probe.userId} has ${added} contacts and ${removed} removed, the log says ${probe.contacts} and ${probe.removedContacts}`,
    );
  }
  const answer = await http.get(`/v1/rooms/${probe.roomId}/messages`, { 'x-session-id': probe.token });
  const page = answer.status === 200 ? (JSON.parse(answer.body) as Array<{ text: string; room_id: number }>) : [];
  const expected = Math.min(50, probe.roomMessages);
  const last = page.at(-1);
  if (page.length !== expected || !last || last.room_id !== probe.roomId || (probe.lastText !== '' && last.text !== probe.lastText)) {
    throw new BenchFailure(
      `${what}: GET /v1/rooms/${probe.roomId}/messages answered HTTP ${answer.status} with ${page.length} messages (expected ${expected} ending "${probe.lastText}"): ${answer.body.slice(0, 200)}`,
    );
  }
}
