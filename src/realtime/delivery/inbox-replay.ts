import type { Position, UserId } from '../../events/recorded-event.js';
import type { MembershipDocument, NotificationDocument } from '../../projections/notifications.js';
import type { ReadModels } from '../../projections/read-models.js';
import { storedNotificationDelivery, type Delivery, type MessageChangeDelivery, type MessageDelivery } from './delivery.js';

const PAGE = 1000;

/**
 * The messages of one room between two positions, and their edits and deletions, oldest first,
 * at most `limit`, complete up to the last: the history read model's job.
 */
export type RoomMessagesBetween = (
  roomId: number,
  after: Position,
  upTo: Position,
  limit: number,
) => Promise<Array<MessageDelivery | MessageChangeDelivery>>;

interface Source {
  fetch(after: Position): Promise<Delivery[]>;
}

/**
 * Everything a user was to receive in (after, upTo], oldest first, page by page: the
 * notifications addressed to them and the messages of each room while they were in it.
 * Pages are cut at a position every source has reached, so the merge is exact.
 */
export async function* inboxBetween(
  read: ReadModels,
  roomMessages: RoomMessagesBetween,
  userId: UserId,
  after: Position,
  upTo: Position,
): AsyncGenerator<Delivery[]> {
  const sources = await sourcesOf(read, roomMessages, userId, upTo);
  let cursor = after;
  while (cursor < upTo) {
    const pages = await Promise.all(sources.map((source) => source.fetch(cursor)));
    // A full page may have more beyond it: only positions every full page reached are complete.
    let end = upTo;
    for (const page of pages) if (page.length >= PAGE) end = Math.min(end, page[page.length - 1]!.position);
    const due = pages.flat().filter((delivery) => delivery.position <= end);
    due.sort((a, b) => a.position - b.position);
    if (due.length > 0) yield due;
    cursor = end;
  }
}

async function sourcesOf(read: ReadModels, roomMessages: RoomMessagesBetween, userId: UserId, upTo: Position): Promise<Source[]> {
  const notifications = read.collection<NotificationDocument>('notifications', 'notifications');
  const memberships = await read.collection<MembershipDocument>('notifications', 'memberships').find({ user: userId });
  const notificationSource: Source = {
    async fetch(after) {
      const documents = await notifications.find({ audience: userId, _id: { $gt: after, $lte: upTo } }, { sort: { _id: 1 }, limit: PAGE });
      return documents.map(storedNotificationDelivery);
    },
  };
  const roomSources = memberships.map((membership): Source => ({
    fetch(after) {
      const from = Math.max(after, membership.joinedAt);
      const to = Math.min(upTo, membership.leftAt ?? upTo);
      return from >= to ? Promise.resolve([]) : roomMessages(membership.room, from, to, PAGE);
    },
  }));
  return [notificationSource, ...roomSources];
}
