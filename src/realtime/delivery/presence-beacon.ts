import { randomUUID } from 'node:crypto';
import type { UserId } from '../../events/recorded-event.js';
import type { Logger } from '../../platform/logger.js';
import type { SignalBoard } from '../../store/ports/signal-board.js';
import type { BoardBody, PresenceState } from '../../use-cases/board-signals.js';
import type { Connection } from './connection.js';
import type { ConnectionRegistry } from './connection-registry.js';

/** How long an offline signal stays on the board, with its last seen: a process starting within it knows it. */
export const LAST_SEEN_MS = 7 * 24 * 3600 * 1000;
/** Users per renewal signal: bounds one signal's size, whatever the number of users connected here. */
const RENEWAL_BATCH = 1000;

/**
 * This process's word on the board about the users connected to it: `presence` (online, or
 * away when every connection of theirs here says so) when it changes, and every third of the
 * expiry one `presence_renewed` for all of them (in batches), so that should the process die
 * its users go offline by themselves; `presence_offline` with the last seen when their last
 * connection here closes.
 */
export class PresenceBeacon {
  /** Told every process apart on the board, a restarted one from its former self too. */
  readonly process = randomUUID();
  private readonly posted = new Map<UserId, PresenceState>();
  private readonly away = new WeakSet<Connection>();
  private readonly pending = new Set<UserId>();
  private readonly renewer: NodeJS.Timeout;

  constructor(
    private readonly board: SignalBoard,
    private readonly registry: ConnectionRegistry,
    private readonly log: Logger,
    private readonly options: { expiryMs: number; lastSeen: boolean },
  ) {
    registry.watch((userId) => this.later(userId));
    this.renewer = setInterval(() => this.renew(), Math.max(Math.floor(options.expiryMs / 3), 100));
    this.renewer.unref();
  }

  /** The client says it is away (or back): its user is away while all their connections here say so. */
  setAway(connection: Connection, away: boolean): void {
    if (away) this.away.add(connection);
    else this.away.delete(connection);
    this.later(connection.userId);
  }

  /** Stops renewing; what is still posted expires by itself unless the registry's closing said offline first. */
  close(): void {
    clearInterval(this.renewer);
  }

  /** Within the same turn a connection may be replaced by another: looked at once it settles, so that no offline flickers out. */
  private later(userId: UserId): void {
    if (this.pending.size === 0) queueMicrotask(() => this.settle());
    this.pending.add(userId);
  }

  private settle(): void {
    for (const userId of this.pending) this.refresh(userId);
    this.pending.clear();
  }

  private refresh(userId: UserId): void {
    const connections = this.registry.connectionsOf(userId);
    const was = this.posted.get(userId);
    const now = Date.now();
    if (connections.size === 0) {
      if (was === undefined) return;
      this.posted.delete(userId);
      const expiresAt = now + (this.options.lastSeen ? LAST_SEEN_MS : this.options.expiryMs);
      return this.post({ kind: 'presence_offline', userId, process: this.process, at: now }, expiresAt);
    }
    const state: PresenceState = [...connections].every((connection) => this.away.has(connection)) ? 'away' : 'online';
    if (state === was) return;
    this.posted.set(userId, state);
    this.post({ kind: 'presence', userId, process: this.process, state, at: now }, now + this.options.expiryMs);
  }

  private renew(): void {
    const now = Date.now();
    const users = [...this.posted];
    for (let start = 0; start < users.length; start += RENEWAL_BATCH) {
      const batch = users.slice(start, start + RENEWAL_BATCH);
      const online = batch.filter(([, state]) => state === 'online').map(([userId]) => userId);
      const away = batch.filter(([, state]) => state === 'away').map(([userId]) => userId);
      this.post({ kind: 'presence_renewed', process: this.process, at: now, online, away }, now + this.options.expiryMs);
    }
  }

  private post(body: BoardBody, expiresAt: number): void {
    this.board.post({ expiresAt, body }).catch((error: unknown) => this.log.warn({ err: error }, 'a presence signal was not posted'));
  }
}
