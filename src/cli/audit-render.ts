import type { AuditEntry } from '../queries/audit/entry.js';
import type { MessageAudit } from '../queries/audit/message.js';
import type { NamedPerson, RoomAudit } from '../queries/audit/room.js';
import type { UserAudit } from '../queries/audit/user.js';
import { ENTRY_HEAD, entryRows } from './entry-table.js';
import type { Output } from './output.js';
import { renderFields, type Cell } from './table.js';

/**
 * How audits print. JSON lines: every line is an object with a `type` — an event type for a
 * log entry, or `User`, `Room`, `Message` for the state that heads an audit.
 */

const names = (people: readonly NamedPerson[]): string =>
  people.length === 0 ? '(nobody)' : people.map((person) => person.label).join(', ');

export function printEntries(output: Output, title: string, entries: readonly AuditEntry[]): void {
  if (output.json) {
    for (const entry of entries) output.line(entry);
    return;
  }
  output.heading(`${title} (${entries.length} events)`);
  output.table(ENTRY_HEAD, entryRows(entries, output.paint));
}

export function printUserAudit(output: Output, audit: UserAudit): void {
  const { user } = audit;
  if (output.json) {
    output.line({ type: 'User', ...user, asOf: audit.asOf });
    for (const entry of audit.entries) output.line(entry);
    return;
  }
  output.heading(`User #${user.id} as of ${audit.asOf}`);
  const fields: Array<[string, Cell]> = [
    ['id', user.id],
    ['name', user.name],
    ['login', user.login],
    ['phone', user.phone],
    ['registered', user.registeredAt],
  ];
  output.print(renderFields(fields, output.paint));
  printEntries(output, 'Everything by or about them', audit.entries);
}

export function printRoomAudit(output: Output, audit: RoomAudit): void {
  const { room } = audit;
  if (output.json) {
    output.line({ type: 'Room', ...room, messages: audit.messages.length, asOf: audit.asOf });
    const timeline = [...audit.history, ...audit.messages, ...audit.changes].sort((a, b) => a.position - b.position);
    for (const entry of timeline) output.line(entry);
    return;
  }
  output.heading(`Room ${room.roomId} as of ${audit.asOf}`);
  const fields: Array<[string, Cell]> = [
    ['kind', room.kind],
    ['name', room.name],
    ['creator', room.creator.label],
    ['members', names(room.members)],
    ['created', room.createdAt],
    ['deleted', room.deleted ? output.paint('red', 'yes') : 'no'],
    ['key rotations', room.keyRotations],
    ['messages', audit.messages.length],
  ];
  output.print(renderFields(fields, output.paint));
  printEntries(output, 'History', audit.history);
  output.heading(`Messages (${audit.messages.length})`);
  const rows = audit.messages.map((entry): Cell[] => {
    const { sender, kind, text, mediaId } = entry.data as { sender: number; kind: string; text: string | null; mediaId: string | null };
    return [entry.position, entry.at, audit.people[sender] ?? `#${sender}`, entry.device, kind, kind === 'text' ? text : mediaId];
  });
  output.table(['id', 'time', 'sender', 'device', 'kind', 'text'], rows);
  if (audit.changes.length > 0) printEntries(output, 'Edits and deletions', audit.changes);
}

export function printMessageAudit(output: Output, audit: MessageAudit): void {
  const { message, room } = audit;
  if (output.json) {
    output.line({ ...message, room });
    for (const change of audit.changes) output.line(change);
    return;
  }
  const { roomId, kind, text, mediaId } = message.data as { roomId: number; kind: string; text: string | null; mediaId: string | null };
  output.heading(`Message ${message.position}`);
  const fields: Array<[string, Cell]> = [
    ['id', message.position],
    ['time', message.at],
    ['what', message.summary],
    ['room', room === null ? roomId : `${roomId}${room.name === null ? '' : ` ${JSON.stringify(room.name)}`} (${room.kind})`],
    ['device', message.device],
    ['session', message.session],
    ['address', message.address],
    ['kind', kind],
    [kind === 'text' ? 'text' : 'media', kind === 'text' ? text : mediaId],
    ['members then', room === null ? null : names(room.members)],
  ];
  output.print(renderFields(fields, output.paint));
  // Every later version and the deletion, each with its text as the audit's content rules allow.
  if (audit.changes.length > 0) printEntries(output, 'Changes', audit.changes);
}
