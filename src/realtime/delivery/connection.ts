import type { UserId } from '../../events/recorded-event.js';
import type { Delivery } from './delivery.js';
import type { Signal } from './signal.js';

/** What carries a connection: its label in the connection metrics. */
export type Wire = 'websocket' | 'tls' | 'tcp';

/** A connected client of any transport and dialect, as fan-out sees it. */
export interface Connection {
  readonly userId: UserId;
  readonly sessionId: string;
  /** Device name; two im logins with the same one replace each other. */
  readonly device: string;
  /** True for im connections: one per (user, device). */
  readonly exclusive: boolean;
  readonly wire: Wire;
  /** A delivery concerning this connection's user. Must not throw or block. */
  deliver(delivery: Delivery): void;
  /** A live signal, for connections that understand them (absent: the client is sent none). Must not throw or block. */
  signal?(signal: Signal): void;
  /**
   * Closes with a reason the client can read (and, where it can, resume after); `quiet`: without
   * telling the client, as for a device replaced by its own new login.
   */
  close(reason: string, quiet?: boolean): void;
}
