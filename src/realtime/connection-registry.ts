import type { UserId } from '../events/recorded-event.js';
import type { Connection } from './connection.js';
import type { Delivery } from './delivery.js';

/** Who is connected to this process: deliveries go to a user's connections only, O(audience). */
export class ConnectionRegistry {
  private readonly byUser = new Map<UserId, Set<Connection>>();
  private readonly bySession = new Map<string, Set<Connection>>();

  /** Adds a connection; an exclusive one replaces the same user's connection on the same device. */
  add(connection: Connection): void {
    const mine = this.byUser.get(connection.userId) ?? new Set<Connection>();
    if (connection.exclusive) {
      for (const other of mine) {
        if (other.exclusive && other.device === connection.device) {
          this.remove(other);
          other.close('replaced by a new login of the same device');
        }
      }
    }
    mine.add(connection);
    this.byUser.set(connection.userId, mine);
    const session = this.bySession.get(connection.sessionId) ?? new Set<Connection>();
    session.add(connection);
    this.bySession.set(connection.sessionId, session);
  }

  remove(connection: Connection): void {
    removeFrom(this.byUser, connection.userId, connection);
    removeFrom(this.bySession, connection.sessionId, connection);
  }

  deliver(userId: UserId, delivery: Delivery): void {
    const connections = this.byUser.get(userId);
    if (connections) for (const connection of connections) connection.deliver(delivery);
  }

  /** A session ended (logout): its connections close. */
  closeSession(sessionId: string, reason: string): void {
    for (const connection of [...(this.bySession.get(sessionId) ?? [])]) {
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

function removeFrom<K>(map: Map<K, Set<Connection>>, key: K, connection: Connection): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(connection);
  if (set.size === 0) map.delete(key);
}
