import type { UserId } from '../../events/recorded-event.js';
import type { Logger } from '../../platform/logger.js';
import type { PresenceBody } from '../../use-cases/board-signals.js';
import type { PresenceView } from '../../use-cases/presence.js';
import type { PresenceTable } from '../../use-cases/presence-table.js';
import type { Connection } from './connection.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { Signal } from './signal.js';

/**
 * Keeps this process's presence table from the board's presence signals (every process's),
 * expires what no process renewed, and tells a user's change of presence to their contacts
 * and room-sharers connected here.
 */
export class PresenceFanOut {
  private readonly expirer: NodeJS.Timeout;

  constructor(
    private readonly table: PresenceTable,
    private readonly view: PresenceView,
    private readonly registry: ConnectionRegistry,
    private readonly log: Logger,
    /** How often expiry is looked at: a dead process's users go offline within the expiry and this. */
    tickMs: number,
  ) {
    this.expirer = setInterval(() => {
      for (const userId of this.table.expire()) this.tell(userId);
    }, tickMs);
    this.expirer.unref();
  }

  /** A presence signal off the board. */
  route(body: PresenceBody, expiresAt: number): void {
    for (const userId of this.table.apply(body, expiresAt)) this.tell(userId);
  }

  /** Sends a starting connection the presence of everyone it may see who is online or away (the others are offline). */
  snapshot(connection: Connection): void {
    const shown = (other: UserId): boolean => this.table.presence(other).presence !== 'offline';
    this.view.audience(connection.userId, shown).then(
      (users) => {
        for (const userId of users) connection.signal?.(this.signal(userId));
      },
      (error: unknown) => this.log.error({ err: error }, 'the presence snapshot failed'),
    );
  }

  close(): void {
    clearInterval(this.expirer);
  }

  private tell(userId: UserId): void {
    if (this.registry.size === 0) return;
    this.view
      .audience(userId, (other) => this.registry.connected(other))
      .then(
        (audience) => this.registry.signal(audience, this.signal(userId)),
        (error: unknown) => this.log.error({ err: error, userId }, 'a presence change could not be told'),
      );
  }

  /** Read when sent, after the audience is known: a later change is never overtaken by an earlier one. */
  private signal(userId: UserId): Signal {
    return { kind: 'presence', userId, ...this.view.now(userId) };
  }
}
