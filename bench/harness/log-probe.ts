import type { LogManifest, SampleRoom, SampleUser } from '../log/log-manifest.js';
import { BenchFailure } from './bench-result.js';
import { tokenCookie, type HttpAnswer, type HttpClient } from './http-client.js';
import { expectImSuccess } from './im-answer.js';

/** What `GET /v1/rooms/:id/messages` answers, as far as the checks read it. */
interface HistoryItem {
  id: number;
  text: string | null;
  room_id: number;
}

/**
 * Asks a server started on a generated log what its probe user sees, in both dialects, and
 * fails unless it is what the generator wrote: the contact list (`GET /contact/version/0`)
 * and the newest page of the probe's direct room (`GET /v1/rooms/:id/messages`).
 */
export async function checkProbe(http: HttpClient, { probe }: LogManifest, what: string): Promise<void> {
  checkContacts(probe, await askContacts(http, probe), what);
  const room = { roomId: probe.roomId, token: probe.token, messages: probe.roomMessages, lastText: probe.lastText };
  checkHistory(room, await askHistory(http, room), what);
}

/** `GET /contact/version/0` as `user` (im, cookie). */
export function askContacts(http: HttpClient, user: SampleUser): Promise<HttpAnswer> {
  return http.get('/contact/version/0', tokenCookie(user.token));
}

/** Fails unless the answer lists as many contacts and removed contacts as the log says `user` has. */
export function checkContacts(user: SampleUser, answer: HttpAnswer, what: string): void {
  const contacts = expectImSuccess(answer, `${what}: GET /contact/version/0`);
  const added = contacts.rows.filter((row) => row.type === 'user').length;
  const removed = contacts.rows.filter((row) => row.type === 'removed').length;
  if (added !== user.contacts || removed !== user.removedContacts) {
    throw new BenchFailure(
      `${what}: user ${user.userId} has ${added} contacts and ${removed} removed, the log says ${user.contacts} and ${user.removedContacts}`,
    );
  }
}

/** `GET /v1/rooms/:id/messages` (its newest page) as a member (v1, X-Session-Id). */
export function askHistory(http: HttpClient, room: SampleRoom): Promise<HttpAnswer> {
  return http.get(`/v1/rooms/${room.roomId}/messages`, { 'x-session-id': room.token });
}

/**
 * Fails unless the page holds the newest min(50, messages) messages of that room, oldest first,
 * ending with the room's last text (when that was a text).
 */
export function checkHistory(room: SampleRoom, answer: HttpAnswer, what: string): void {
  const page = answer.status === 200 ? (JSON.parse(answer.body) as HistoryItem[]) : [];
  const expected = Math.min(50, room.messages);
  const last = page.at(-1);
  const inOrder = page.every((message, i) => message.room_id === room.roomId && (i === 0 || message.id > page[i - 1]!.id));
  if (answer.status !== 200 || page.length !== expected || !inOrder || (last && room.lastText !== '' && last.text !== room.lastText)) {
    throw new BenchFailure(
      `${what}: GET /v1/rooms/${room.roomId}/messages answered HTTP ${answer.status} with ${page.length} messages (expected ${expected} of room ${room.roomId} in order, ending "${room.lastText}"): ${answer.body.slice(0, 200)}`,
    );
  }
}
