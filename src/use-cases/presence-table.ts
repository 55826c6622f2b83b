import type { UserId } from '../events/recorded-event.js';
import type { PresenceBody, PresenceState } from './board-signals.js';

/** What a user's contacts see: `lastSeen` (epoch ms) is when the user was last connected, once they are offline. */
export interface Presence {
  presence: PresenceState | 'offline';
  lastSeen: number | null;
}

interface Entry {
  /**
   * `offline`: the process said the last connection closed; kept until anything it said before
   * would have expired, so that a late copy of it (seen twice at a start, or arriving after the
   * offline from the board's other stream) changes nothing.
   */
  state: PresenceState | 'offline';
  /** When the process last said so: the last seen, should it never say more. */
  at: number;
  expiresAt: number;
}

interface UserPresence {
  /** By process: each process says for the connections it holds. */
  entries: Map<string, Entry>;
  lastSeen: number | null;
}

export interface PresenceTableOptions {
  /** The longest a presence or renewal signal lives: how long an offline keeps what came before it from applying. */
  expiryMs: number;
  maxUsers?: number;
  now?: () => number;
}

const OFFLINE: Presence = { presence: 'offline', lastSeen: null };

/**
 * Every user's presence as the signal board tells it, kept by each process: one entry per
 * (user, process) with a connection of that user, dropped when the process says the last one
 * closed or when the process stops renewing it (it died). Online when any entry says online,
 * away when every entry says away, else offline with the last seen. Bounded: past `maxUsers`
 * the offline users touched longest ago are forgotten (their last seen reads null, and a late
 * signal from before their offline may apply).
 *
 * Order: by the `at` each process stamps its signals with (strictly increasing per process,
 * presence-beacon.ts), not by arrival: the board keeps posting order only among signals of
 * like life (store/ports/signal-board.ts), and an offline lives days where a presence lives
 * the expiry, so an offline may arrive before the online it follows, or after a newer online.
 */
export class PresenceTable {
  /** In the order users were last touched: the oldest first, to be forgotten first. */
  private readonly users = new Map<UserId, UserPresence>();
  /** The users with an entry: the only ones expiry has to look at. */
  private readonly present = new Set<UserId>();

  private readonly maxUsers: number;
  private readonly now: () => number;
  private readonly expiryMs: number;

  constructor(options: PresenceTableOptions) {
    this.maxUsers = options.maxUsers ?? 100_000;
    this.now = options.now ?? Date.now;
    this.expiryMs = options.expiryMs;
  }

  /** Applies a board signal (posted to expire at `expiresAt`); the users whose presence changed. */
  apply(body: PresenceBody, expiresAt: number): UserId[] {
    if (body.kind !== 'presence_renewed') return this.applyOne(body, expiresAt) ? [body.userId] : [];
    const changed: UserId[] = [];
    for (const [state, users] of [
      ['online', body.online],
      ['away', body.away],
    ] as const)
      for (const userId of users)
        if (this.applyOne({ kind: 'presence', userId, process: body.process, state, at: body.at }, expiresAt)) changed.push(userId);
    return changed;
  }

  private applyOne(body: Exclude<PresenceBody, { kind: 'presence_renewed' }>, expiresAt: number): boolean {
    const user = this.touch(body.userId);
    const before = derive(user, this.now());
    if (body.kind === 'presence') {
      if (expiresAt <= this.now()) return false;
      const known = user.entries.get(body.process);
      // A renewal older than what the process said since (a signal seen twice at start) changes nothing.
      if (known && known.at > body.at) return false;
      user.entries.set(body.process, { state: body.state, at: body.at, expiresAt });
      this.present.add(body.userId);
    } else {
      const known = user.entries.get(body.process);
      if (known && known.at > body.at) return false;
      const keepUntil = Math.max(known?.expiresAt ?? 0, body.at + this.expiryMs);
      if (keepUntil > this.now()) {
        user.entries.set(body.process, { state: 'offline', at: body.at, expiresAt: keepUntil });
        this.present.add(body.userId);
      } else user.entries.delete(body.process);
      if (user.entries.size === 0) this.present.delete(body.userId);
      user.lastSeen = Math.max(user.lastSeen ?? 0, body.at);
    }
    this.bound();
    return !same(before, derive(user, this.now()));
  }

  /** Drops the entries no process renewed in time; the users whose presence changed. */
  expire(): UserId[] {
    const now = this.now();
    const changed: UserId[] = [];
    for (const userId of this.present) {
      const user = this.users.get(userId);
      if (!user) continue;
      // As watchers were last told: the entries that expired since still counted.
      const before = derive(user, 0);
      for (const [process, entry] of user.entries) {
        if (entry.expiresAt > now) continue;
        user.entries.delete(process);
        if (entry.state !== 'offline') user.lastSeen = Math.max(user.lastSeen ?? 0, entry.at);
      }
      if (user.entries.size === 0) this.present.delete(userId);
      if (!same(before, derive(user, now))) changed.push(userId);
    }
    return changed;
  }

  presence(userId: UserId): Presence {
    const user = this.users.get(userId);
    return user ? derive(user, this.now()) : OFFLINE;
  }

  get size(): number {
    return this.users.size;
  }

  private touch(userId: UserId): UserPresence {
    const user = this.users.get(userId) ?? { entries: new Map<string, Entry>(), lastSeen: null };
    this.users.delete(userId);
    this.users.set(userId, user);
    return user;
  }

  private bound(): void {
    if (this.users.size <= this.maxUsers) return;
    for (const [userId, user] of this.users) {
      if (derive(user, this.now()).presence !== 'offline') continue;
      this.users.delete(userId);
      this.present.delete(userId);
      if (this.users.size <= this.maxUsers) return;
    }
  }
}

/**
 * A user's presence at `now`: an entry past its expiry counts as gone even before `expire()` drops
 * it, so an answer never depends on when that timer last ran.
 */
function derive(user: UserPresence, now: number): Presence {
  let away = false;
  let lastSeen = user.lastSeen;
  for (const entry of user.entries.values()) {
    if (entry.expiresAt <= now) {
      if (entry.state !== 'offline') lastSeen = Math.max(lastSeen ?? 0, entry.at);
    } else if (entry.state === 'online') return { presence: 'online', lastSeen: null };
    else if (entry.state === 'away') away = true;
  }
  return away ? { presence: 'away', lastSeen: null } : { presence: 'offline', lastSeen };
}

const same = (a: Presence, b: Presence): boolean => a.presence === b.presence && a.lastSeen === b.lastSeen;
