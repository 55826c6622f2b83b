import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { IdAllocator } from './commands/id-allocator.js';
import { highestRoomId } from './queries/rooms.js';
import { highestUserId } from './queries/users.js';
import type { Config } from './platform/config.js';
import { ensureDevCertificates } from './platform/dev-certificates.js';
import { closeGracefully } from './http/close-gracefully.js';
import { CatchUp, checkHealth, checkLiveness } from './http/health.js';
import { createHttpApp } from './http/http-app.js';
import { LoginThrottle } from './use-cases/login-throttle.js';
import type { Logger } from './platform/logger.js';
import type { Observable } from 'rxjs';
import type { Position, RecordedEvent } from './events/recorded-event.js';
import { Metrics } from './platform/metrics.js';
import { projections } from './projections/all-projections.js';
import { ProjectionRunner } from './projections/runner.js';
import type { EventStore } from './store/ports/event-store.js';
import type { PersonKeys } from './store/crypto/person-keys.js';
import { InstrumentedEventStore } from './store/instrumented-event-store.js';
import {
  openDeliveryStateStore,
  openEventStore,
  openMediaStore,
  openPersonKeys,
  openReadStore,
  openSearchIndex,
  openSignalBoard,
} from './store/open-stores.js';
import { ErasureJournals } from './projections/erasure-journals.js';
import { SearchIndexer } from './projections/search-indexer.js';
import { isJournaled } from './store/ports/journaled-store.js';
import type { ReadStore } from './store/ports/read-store.js';
import { LiveFeed } from './store/live-feed.js';
import type { TlsMaterial } from './realtime/im/im-tcp-listener.js';
import { startRealtime, type Realtime } from './realtime/realtime.js';

/** How long requests in flight may take to finish when the server stops: within serve's 10 s exit deadline. */
const HTTP_GRACE_MS = 5000;

export interface RunningServer {
  /** The HTTP(S) port actually bound (useful when the configuration asked for 0). */
  port: number;
  imPort: number;
  realtime: Realtime;
  store: EventStore;
  readStore: ReadStore;
  runner: ProjectionRunner;
  /** This server's instruments, as `GET /metrics` shows them. */
  metrics: Metrics;
  /**
   * Stops gracefully: stops accepting, tells real-time clients to reconnect (they resume from
   * their cursors), lets HTTP requests in flight finish, then commits pending appends and
   * closes the stores.
   */
  close(): Promise<void>;
}

/**
 * What a caller may compose otherwise than the configuration says. No setting reaches it: `eschat
 * serve` starts with the defaults; the benchmarks' server without encryption (bench/plain-server)
 * is the one caller that overrides it.
 */
export interface Composition {
  /** Opens the log, which owns `keys` from then on (closing it closes them). Default: `openEventStore`, which seals personal data. */
  openLog: (config: Config, keys: PersonKeys) => Promise<EventStore>;
}

/** The composition root: opens the stores, catches the read models up, then listens. */
export async function startServer(config: Config, log: Logger, composition: Partial<Composition> = {}): Promise<RunningServer> {
  const { openLog = openEventStore } = composition;
  const metrics = new Metrics();
  const keys = await openPersonKeys(config);
  const store: EventStore = new InstrumentedEventStore(await openLog(config, keys), metrics);
  const readStore = await openReadStore(config);
  const unknownTypes = new Set<string>();
  // Once per type: a log a newer version wrote may hold many events of a type this one passes over.
  const feed = new LiveFeed(store, {
    unknown: ({ type, position }) => {
      if (unknownTypes.has(type)) return;
      unknownTypes.add(type);
      log.warn({ type, position }, 'events of a type this version does not know are passed over');
    },
    dropped: (error, attempts, delayMs) =>
      log.warn({ err: error, attempts, delayMs, position: feed.position }, 'the live feed dropped; resubscribing from its position'),
  });
  const runner: ProjectionRunner = new ProjectionRunner(store, readStore, projections, {
    // Paced: a catch-up from 0 waits for the read models every few thousand events instead of
    // queueing the whole log in memory (the client stream pauses; the server's flow control holds the rest).
    subscribe: (from: Position): Observable<RecordedEvent> => feed.paced(from, (position) => runner.waitFor(position, Infinity)),
    onError: (projection, error) => log.error({ err: error, projection }, 'projection failed'),
    onNotice: (message, fields) => log.warn(fields, message),
  });
  await runner.start();
  metrics.watchProjections(() => runner.status());
  // The search index follows the log as a projection of its own, with its checkpoint in the index.
  const searchIndex = await openSearchIndex(config, readStore);
  const indexer = new SearchIndexer(store, searchIndex, (error) => log.error({ err: error }, 'search index failed'));
  await indexer.start(feed.events);
  const roomIds = new IdAllocator(() => highestRoomId(runner));
  const liveFeed = { feed, deadAfterMs: config.limits.feedDeadSeconds * 1000 };
  const catchUp = new CatchUp();
  const tls = await tlsMaterial(config);
  const deliveryState = await openDeliveryStateStore(config, readStore);
  const erasures = new ErasureJournals(
    feed.events,
    async (position) => {
      // Subscribed after the indexer: the UserErased is in its queue already when settled() is asked.
      await runner.waitFor(position, Infinity);
      await indexer.settled();
    },
    [readStore, searchIndex, deliveryState].filter(isJournaled),
    (error) => log.error({ err: error }, 'truncating the journals after an erasure failed'),
  );
  const board = await openSignalBoard(config, (message, error) => log.warn({ err: error }, message));
  const realtime = await startRealtime({ store, read: runner, feed, deliveryState, board, roomIds, config, log, tls, metrics });
  // With ESCHAT_IM_PORT=0 the IM port is chosen now; /server/login announces the real one.
  const served: Config = { ...config, imPort: realtime.imPort };
  const deps = {
    store,
    keys,
    read: runner,
    projections: runner,
    userIds: new IdAllocator(() => highestUserId(runner)),
    roomIds,
    media: await openMediaStore(config, readStore),
    config: served,
    log,
    throttle: new LoginThrottle(config.limits.loginFailures, config.limits.loginWindowSeconds * 1000),
    offline: realtime.offline,
    typing: realtime.typing,
    presence: realtime.presence,
    sendGuard: realtime.sendGuard,
    search: { index: searchIndex, settled: () => indexer.settled() },
    metrics,
    health: () => checkHealth({ store, readStore, projections: runner, connections: () => realtime.registry.size, liveFeed, catchUp }),
    liveness: () => checkLiveness(liveFeed),
  };
  const app = createHttpApp(deps);
  const server = tls ? createHttpsServer({ ...tls, minVersion: 'TLSv1.2' }, app.callback()) : createHttpServer(app.callback());
  realtime.attach(server);
  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  log.info({ port, imPort: realtime.imPort, tls: config.tls.enabled, position: runner.position }, 'eschat listening');
  let closing: Promise<void> | undefined;
  return {
    port,
    imPort: realtime.imPort,
    store,
    readStore,
    runner,
    realtime,
    metrics,
    close() {
      // Once, however often it is asked (a signal and a caller both): the stores close once.
      closing ??= (async () => {
        // Read models keep running meanwhile: requests in flight may wait for their writes.
        await Promise.all([realtime.close(), closeGracefully(server, HTTP_GRACE_MS)]);
        await runner.close();
        indexer.stop();
        await indexer.settled();
        await erasures.stop();
        feed.stop();
        await deliveryState.close();
        await board.close();
        await store.close();
        await searchIndex.close();
        await readStore.close();
      })();
      return closing;
    },
  };
}

/** The certificate and key of HTTPS and the IM port: configured files, or development ones. */
async function tlsMaterial(config: Config): Promise<TlsMaterial | null> {
  if (!config.tls.enabled) return null;
  const files =
    config.tls.certFile && config.tls.keyFile
      ? { certFile: config.tls.certFile, keyFile: config.tls.keyFile }
      : await ensureDevCertificates(config.tls.dir, config.publicHost === 'localhost' ? [] : [config.publicHost]);
  return { cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
