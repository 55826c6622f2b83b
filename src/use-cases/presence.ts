import type { UserId } from '../events/recorded-event.js';
import type { ReadModels } from '../projections/read-models.js';
import { contactsOf, isContact } from '../queries/contacts.js';
import { roomsOf } from '../queries/rooms.js';
import type { Presence, PresenceTable } from './presence-table.js';

/**
 * Who may see whose presence: a user's contacts and the members of the rooms they share,
 * nobody else; and what they see, without the last seen when the operator turned it off.
 */
export class PresenceView {
  constructor(
    private readonly table: PresenceTable,
    private readonly read: ReadModels,
    private readonly lastSeen: boolean,
  ) {}

  /** `target`'s presence as `viewer` may see it; null when `viewer` is a stranger to `target`. */
  async of(viewer: UserId, target: UserId): Promise<Presence | null> {
    const allowed = viewer === target || (await this.shareARoom(viewer, target)) || (await isContact(this.read, viewer, target));
    return allowed ? this.now(target) : null;
  }

  /** Whether two users are members of one room, by the rooms read model (the routing state holds the rooms in use only). */
  private async shareARoom(a: UserId, b: UserId): Promise<boolean> {
    return (await roomsOf(this.read, a)).some((room) => room.members.includes(b));
  }

  /** What `userId`'s contacts and room-sharers see of them now. */
  now(userId: UserId): Presence {
    const presence = this.table.presence(userId);
    return this.lastSeen ? presence : { ...presence, lastSeen: null };
  }

  /** Everyone who may see `userId`'s presence (besides `userId`), among those `wanted` keeps (the connected ones, say). */
  async audience(userId: UserId, wanted: (other: UserId) => boolean): Promise<Set<UserId>> {
    const audience = new Set<UserId>();
    for (const room of await roomsOf(this.read, userId))
      for (const member of room.members) if (member !== userId && wanted(member)) audience.add(member);
    for (const contact of await contactsOf(this.read, userId)) if (contact !== userId && wanted(contact)) audience.add(contact);
    return audience;
  }
}
