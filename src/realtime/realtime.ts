import { once } from 'node:events';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IdAllocator } from '../commands/id-allocator.js';
import type { SendGuard } from '../commands/message.js';
import type { Config } from '../platform/config.js';
import type { RecordedEvent } from '../events/recorded-event.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { ReadModels } from '../projections/read-models.js';
import type { OfflineQueue } from '../use-cases/offline-queue.js';
import type { DeliveryStateStore } from '../store/ports/delivery-state-store.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { LiveFeed } from '../store/live-feed.js';
import type { SignalBoard } from '../store/ports/signal-board.js';
import { Typing } from '../use-cases/typing.js';
import { BoardFanOut } from './delivery/board-fan-out.js';
import { ConnectionRegistry } from './delivery/connection-registry.js';
import { DeviceCursors } from './delivery/device-cursors.js';
import { FanOut } from './delivery/fan-out.js';
import { ReadSignals } from './delivery/read-signals.js';
import { PresenceBeacon } from './delivery/presence-beacon.js';
import { PresenceFanOut } from './delivery/presence-fan-out.js';
import { PresenceView } from '../use-cases/presence.js';
import { PresenceTable } from '../use-cases/presence-table.js';
import type { BoardSignal } from '../store/ports/signal-board.js';
import { createImListener, type TlsMaterial } from './im/im-tcp-listener.js';
import { liveSendGuard } from '../use-cases/live-send-guard.js';
import { textSender } from '../use-cases/text-sender.js';
import { createOfflineQueue } from './im/offline-queue.js';
import type { RealtimeContext } from './delivery/realtime-context.js';
import { RecentSends } from '../use-cases/recent-sends.js';
import { roomMessagesFrom } from './delivery/room-messages.js';
import { RoutingState, roomStreamPages } from '../projections/routing-state.js';
import { WebSocketGateway } from './websocket-gateway.js';

export interface RealtimeDeps {
  store: EventStore;
  read: ReadModels;
  feed: LiveFeed;
  deliveryState: DeliveryStateStore;
  roomIds: IdAllocator;
  config: Config;
  log: Logger;
  tls: TlsMaterial | null;
  /** Connections per transport and deliveries are counted here. */
  metrics: Metrics;
  /** Ephemeral signals shared by every process (typing). */
  board: SignalBoard;
}

export interface Realtime {
  /** Routes WebSocket upgrades of the HTTP(S) server to the real-time endpoints. */
  attach(server: HttpServer): void;
  /** The IM port actually bound. */
  imPort: number;
  offline: OfflineQueue;
  registry: ConnectionRegistry;
  /** The checks of a send, answered in memory: every dialect sends through it, so a retry is known whichever way it comes. */
  sendGuard: SendGuard;
  /** "X is typing", for every dialect that carries it. */
  typing: Typing;
  /** Who may see whose presence, and what it is. */
  presence: PresenceView;
  /** Closes every connection (clients resume on reconnect) and the IM listener. */
  close(): Promise<void>;
}

/**
 * Real-time delivery: follows the live feed from where it stands, routes every event to the
 * connections it concerns, and serves the WebSocket endpoints and the legacy IM port.
 */
export async function startRealtime(deps: RealtimeDeps): Promise<Realtime> {
  const from = deps.feed.position;
  const early: RecordedEvent[] = [];
  let route = (event: RecordedEvent): void => void early.push(event);
  // A handler's throw would be rethrown by rxjs outside any caller and end the process: one
  // event that fails to route is logged and the next is routed. The feed itself never errors
  // (it resubscribes), so the error callback only guards that promise.
  const subscription = deps.feed.events.subscribe({
    next: (event) => {
      try {
        route(event);
      } catch (error) {
        deps.log.error({ err: error, position: event.position, type: event.type }, 'an event could not be routed');
      }
    },
    error: (error: unknown) => deps.log.error({ err: error }, 'the live feed failed'),
  });
  const recent = await RecentSends.load(deps.store, from);
  const routing = new RoutingState(roomStreamPages(deps.store), from, deps.config.limits.routingRooms);
  const registry = new ConnectionRegistry(deps.metrics, deps.config.limits.connectionsPerUser);
  const unrouted = (error: unknown, event: RecordedEvent): void =>
    deps.log.error({ err: error, position: event.position, type: event.type }, 'an event could not be routed');
  const fanOut = new FanOut(routing, registry, from, new ReadSignals(routing, registry, deps.read, deps.log), unrouted);
  route = (event) => {
    recent.record(event);
    fanOut.route(event);
  };
  for (const event of early) if (event.position > from) route(event);

  const sendGuard = liveSendGuard(routing, recent, () => fanOut.settled());
  const expiryMs = deps.config.presence.expirySeconds * 1000;
  const presenceTable = new PresenceTable({ expiryMs });
  const presence = new PresenceView(presenceTable, deps.read, deps.config.presence.lastSeen);
  const presenceFanOut = new PresenceFanOut(presenceTable, presence, registry, deps.log, Math.min(1000, expiryMs / 4));
  const boardFanOut = new BoardFanOut(routing, registry, presenceFanOut);
  const routeSignal = (signal: BoardSignal): void => {
    try {
      boardFanOut.route(signal);
    } catch (error) {
      deps.log.error({ err: error }, 'a board signal could not be routed');
    }
  };
  // Who is online now is on the board already: read first, then what is posted from then on, in order.
  const posted: BoardSignal[] = [];
  let onBoard = (signal: BoardSignal): void => void posted.push(signal);
  const boardSubscription = deps.board.signals.subscribe((signal) => onBoard(signal));
  for (const signal of await deps.board.current()) routeSignal(signal);
  for (const signal of posted.splice(0)) routeSignal(signal);
  onBoard = routeSignal;
  const beacon = new PresenceBeacon(deps.board, registry, deps.log, { expiryMs, lastSeen: deps.config.presence.lastSeen });
  const typing = new Typing(deps.board, sendGuard);
  const cursors = new DeviceCursors(deps.deliveryState, (error) => deps.log.error({ err: error }, 'delivery cursors not saved'));
  const ctx: RealtimeContext = {
    read: deps.read,
    routing,
    registry,
    cursors,
    fanOut,
    texts: textSender({ ...deps, sendGuard }, routing),
    roomMessages: roomMessagesFrom(deps.read, routing),
    typing,
    presence: { beacon, fanOut: presenceFanOut },
    limits: deps.config.limits,
    log: deps.log,
  };
  const gateway = new WebSocketGateway(ctx, deps.config.allowedOrigins);
  const imListener = createImListener(ctx, deps.tls);
  imListener.server.on('tlsClientError', () => undefined);
  imListener.server.listen(deps.config.imPort, deps.config.host);
  await once(imListener.server, 'listening');
  return {
    attach: (server) => gateway.attach(server),
    imPort: (imListener.server.address() as AddressInfo).port,
    offline: createOfflineQueue(ctx),
    registry,
    sendGuard,
    typing,
    presence,
    async close() {
      subscription.unsubscribe();
      boardSubscription.unsubscribe();
      gateway.shuttingDown();
      registry.closeAll('server shutting down: reconnect to resume');
      await gateway.close();
      await imListener.close();
      beacon.close();
      presenceFanOut.close();
      await cursors.flush();
    },
  };
}
