import type { Config } from '../../platform/config.js';
import type { Logger } from '../../platform/logger.js';
import type { ReadModels } from '../../projections/read-models.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { DeviceCursors } from './device-cursors.js';
import type { FanOut } from './fan-out.js';
import type { RoomMessagesBetween } from './inbox-replay.js';
import type { TextSender } from '../../use-cases/text-sender.js';
import type { Typing } from '../../use-cases/typing.js';
import type { RoutingState } from '../../projections/routing-state.js';
import type { PresenceBeacon } from './presence-beacon.js';
import type { PresenceFanOut } from './presence-fan-out.js';

/** What every real-time connection is built from; composed in realtime.ts. */
export interface RealtimeContext {
  read: ReadModels;
  routing: RoutingState;
  registry: ConnectionRegistry;
  cursors: DeviceCursors;
  fanOut: FanOut;
  texts: TextSender;
  typing: Typing;
  /** This process's word on who is connected here (and away), and the presence snapshot a starting connection is sent. */
  presence: { beacon: PresenceBeacon; fanOut: PresenceFanOut };
  roomMessages: RoomMessagesBetween;
  limits: Config['limits'];
  log: Logger;
}
