import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { IdAllocator } from './commands/id-allocator.js';
import type { Config } from './config.js';
import { ensureDevCertificates } from './dev-certificates.js';
import { createHttpApp } from './http/http-app.js';
import { LoginThrottle } from './http/login-throttle.js';
import type { Logger } from './logger.js';
import { contactsProjection } from './projections/contacts.js';
import { mediaProjection } from './projections/media.js';
import { messagesProjection } from './projections/messages.js';
import type { Projection } from './projections/projection.js';
import { roomsProjection } from './projections/rooms.js';
import { ProjectionRunner } from './projections/runner.js';
import { sessionsProjection } from './projections/sessions.js';
import { usersProjection } from './projections/users.js';
import type { EventStore } from './store/event-store.js';
import { openEventStore, openMediaStore, openReadStore } from './store/open-stores.js';
import type { ReadStore } from './store/read-store.js';

/** Every read model the server keeps. */
export const projections: readonly Projection[] = [usersProjection, sessionsProjection, contactsProjection, roomsProjection, messagesProjection, mediaProjection];

export interface RunningServer {
  /** The HTTP(S) port actually bound (useful when the configuration asked for 0). */
  port: number;
  store: EventStore;
  readStore: ReadStore;
  runner: ProjectionRunner;
  close(): Promise<void>;
}

/** The composition root: opens the stores, catches the read models up, then listens. */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const store = await openEventStore(config);
  const readStore = await openReadStore(config);
  const runner = new ProjectionRunner(store, readStore, projections, {
    onError: (projection, error) => log.error({ err: error, projection }, 'projection failed'),
  });
  await runner.start();
  const deps = {
    store,
    read: runner,
    userIds: new IdAllocator(store, 'UserRegistered', (data) => (data as { userId: number }).userId),
    roomIds: new IdAllocator(store, 'RoomCreated', (data) => (data as { roomId: number }).roomId),
    media: openMediaStore(config, readStore),
    config,
    log,
    throttle: new LoginThrottle(config.limits.loginFailures, config.limits.loginWindowSeconds * 1000),
  };
  const app = createHttpApp(deps);
  const server = await createServer(config, app.callback());
  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  log.info({ port, tls: config.tls.enabled, position: runner.position }, 'eschat listening');
  return {
    port,
    store,
    readStore,
    runner,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      runner.stop();
      await store.close();
      await readStore.close();
    },
  };
}

async function createServer(config: Config, handler: Parameters<typeof createHttpServer>[1]): Promise<Server> {
  if (!config.tls.enabled) return createHttpServer(handler);
  const files =
    config.tls.certFile && config.tls.keyFile
      ? { certFile: config.tls.certFile, keyFile: config.tls.keyFile }
      : await ensureDevCertificates(config.tls.dir, config.publicHost === 'localhost' ? [] : [config.publicHost]);
  return createHttpsServer({ cert: readFileSync(files.certFile), key: readFileSync(files.keyFile), minVersion: 'TLSv1.2' }, handler);
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
