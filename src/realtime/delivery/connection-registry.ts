import type { UserId } from '../../events/recorded-event.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Connection } from './connection.js';
import type { Delivery } from './delivery.js';
import type { Signal } from './signal.js';

/** Who is connected to this process: deliveries go to a user's connections only, O(audience). */
export class ConnectionRegistry {
  private readonly byUser = new Map<UserId, Set<Connection>>();
  private readonly bySession = new Map<string, Set<Connection>>();
  private readonly watchers: Array<(userId: UserId) => void> = [];

  constructor(
    private readonly metrics: Metrics,
    /** Connections one user may hold at once: a bound on what one account can take of the server. */
    private readonly maxPerUser = Number.POSITIVE_INFINITY,
  ) {}

  /**
   * Adds a connection; an exclusive one replaces the same user's connection on the same device.
   * One past the user's limit is not added: the reason is returned, for the caller to refuse it
   * in its dialect. Null when added.
   */
  add(connection: Connection): string | null {
    const mine = this.byUser.get(connection.userId) ?? new Set<Connection>();
    const replaced = connection.exclusive ? [...mine].filter((other) => other.exclusive && other.device === connection.device) : [];
    if (!mine.has(connection) && mine.size - replaced.length >= this.maxPerUser)
      return `too many connections: at most ${this.maxPerUser} per user`;
    for (const other of replaced) {
      this.remove(other);
      // The device is already on its new connection: the old one needs no goodbye (simple_im closed it silently).
      other.close('replaced by a new login of the same device', true);
    }
    if (!mine.has(connection)) this.metrics.connectionOpened(connection.wire);
    mine.add(connection);
    this.byUser.set(connection.userId, mine);
    const session = this.bySession.get(connection.sessionId) ?? new Set<Connection>();
    session.add(connection);
    this.bySession.set(connection.sessionId, session);
    this.changed(connection.userId);
    return null;
  }

  remove(connection: Connection): void {
    removeFrom(this.bySession, connection.sessionId, connection);
    if (!removeFrom(this.byUser, connection.userId, connection)) return;
    this.metrics.connectionClosed(connection.wire);
    this.changed(connection.userId);
  }

  /** Calls `watcher` with the user whenever a connection of theirs is added or removed here (presence follows it). */
  watch(watcher: (userId: UserId) => void): void {
    this.watchers.push(watcher);
  }

  /** The user's connections here. */
  connectionsOf(userId: UserId): ReadonlySet<Connection> {
    return this.byUser.get(userId) ?? NONE;
  }

  private changed(userId: UserId): void {
    for (const watcher of this.watchers) watcher(userId);
  }

  /** Hands the delivery to every connection of these users; timed and counted once for them all. */
  deliver(users: Iterable<UserId>, delivery: Delivery): void {
    // From the command's decision to the hand-off: a live connection writes the frame right then.
    const seconds = (Date.now() - Date.parse(delivery.at)) / 1000;
    let handed = 0;
    for (const userId of users) {
      const connections = this.byUser.get(userId);
      if (!connections) continue;
      handed += connections.size;
      for (const connection of connections) connection.deliver(delivery);
    }
    if (handed > 0) this.metrics.delivered(delivery.kind, seconds, handed);
  }

  /** Hands a live signal to every connection of these users that takes signals. */
  signal(users: Iterable<UserId>, signal: Signal): void {
    for (const userId of users) for (const connection of this.byUser.get(userId) ?? []) connection.signal?.(signal);
  }

  /** Whether the user has a connection here. */
  connected(userId: UserId): boolean {
    return this.byUser.has(userId);
  }

  /** The users with a connection here. */
  users(): IterableIterator<UserId> {
    return this.byUser.keys();
  }

  /** A session ended (logout): its connections close. */
  closeSession(sessionId: string, reason: string): void {
    for (const connection of [...(this.bySession.get(sessionId) ?? [])]) {
      this.remove(connection);
      connection.close(reason);
    }
  }

  /** A person was erased: every connection of theirs closes. */
  closeUser(userId: UserId, reason: string): void {
    for (const connection of [...(this.byUser.get(userId) ?? [])]) {
      this.remove(connection);
      connection.close(reason);
    }
  }

  closeAll(reason: string): void {
    for (const connections of [...this.byUser.values()]) {
      for (const connection of [...connections]) {
        this.remove(connection);
        connection.close(reason);
      }
    }
  }

  get size(): number {
    let count = 0;
    for (const connections of this.byUser.values()) count += connections.size;
    return count;
  }
}

const NONE: ReadonlySet<Connection> = new Set();

/** False when the connection was not there. */
function removeFrom<K>(map: Map<K, Set<Connection>>, key: K, connection: Connection): boolean {
  const set = map.get(key);
  if (!set?.delete(connection)) return false;
  if (set.size === 0) map.delete(key);
  return true;
}
