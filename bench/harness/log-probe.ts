import type { LogManifest, SampleRoom, SampleUser } from '../log/log-manifest.js';
import { BenchFailure } from './bench-result.js';
import { tokenCookie, type HttpClient } from './http-client.js';
import { expectImSuccess } from './im-answer.js';

/**
 * Asks a server started on a generated log what its probe user sees, in both dialects, and
 * fails unless it is what the generator wrote: the contact list (`GET /contact/version/0`)
 * and the newest page of the probe's direct room (`GET /v1/rooms/:id/messages`).
 */
export async function checkProbe(http: HttpClient, { probe }: LogManifest, what: string): Promise<void> {
  await checkContacts(http, probe, what);
  await checkHistory(http, { roomId: probe.roomId, token: probe.token, messages: probe.roomMessages, lastText: probe.lastText }, what);
}

/** `GET /contact/version/0` as `user`: fails unless its contacts and removed contacts are as many as the log says. */
export async function checkContacts(http: HttpClient, user: SampleUser, what: string): Promise<void> {
  const contacts = expectImSuccess(await http.get('/contact/version/0', tokenCookie(user.token)), `${what}: GET /contact/version/0`);
  const added = contacts.rows.filter((row) => row.type === 'user').length;
  const removed = contacts.rows.filter((row) => row.type === 'removed').length;
  if (added !== user.contacts || removed !== user.removedContacts) {
    throw new BenchFailure(
      `${what}: user ${user.userId} has ${added} contacts and ${removed} removed, the log says ${user.contacts} and ${user.removedContacts}`,
    );
  }
}

/**
 * `GET /v1/rooms/:id/messages` as a member: fails unless the page holds the newest
 * min(50, messages) messages of that room, in order, ending with the room's last text.
 */
export async function checkHistory(http: HttpClient, room: SampleRoom, what: string): Promise<void> {
  const answer = await http.get(`/v1/rooms/${room.roomId}/messages`, { 'x-session-id': room.token });
  const page = answer.status === 200 ? (JSON.parse(answer.body) as Array<{ id: number; text: string | null; room_id: number }>) : [];
  const expected = Math.min(50, room.messages);
  const last = page.at(-1);
  const inOrder = page.every((message, i) => message.room_id === room.roomId && (i === 0 || message.id > page[i - 1]!.id));
  if (
    answer.status !== 200 ||
    page.length !== expected ||
    !inOrder ||
    (last !== undefined && room.lastText !== '' && last.text !== room.lastText)
  ) {
    throw new BenchFailure(
      `${what}: GET /v1/rooms/${room.roomId}/messages answered HTTP ${answer.status} with ${page.length} messages (expected ${expected} of room ${room.roomId} in order, ending "${room.lastText}"): ${answer.body.slice(0, 200)}`,
    );
  }
}
