import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppendOutcome, ReadKind } from '../store/instrumented-event-store.js';

/** How a projection stands, as the metrics read it on each scrape (the runner's status). */
export interface ProjectionGauge {
  name: string;
  /** Global positions between the projection and the head of the log. */
  lag: number;
  state: string;
}

/** Sub-millisecond to seconds: SQLite group commits, EventStoreDB round trips, slow disks. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processRegistry: Registry | undefined;

/**
 * prom-client's process and Node.js metrics (CPU, memory, event-loop lag, GC): they describe the
 * process, not a server, and each collection starts its own timers, so they are collected once
 * per process and shown by every server's scrape.
 */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The server's Prometheus instruments, in a registry of their own rather than prom-client's
 * global one: tests run several servers in one process, and each must count only its own
 * traffic. Every name starts with `eschat_`; the process defaults are added to each scrape.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly appends: Counter<'outcome'>;
  private readonly appendedEvents: Counter;
  private readonly appendSeconds: Histogram<'outcome'>;
  private readonly readEvents: Counter<'read'>;
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly requestSeconds: Histogram<'method' | 'route'>;
  private readonly connections: Gauge<'transport'>;
  private readonly deliveries: Counter<'kind'>;
  private readonly deliverySeconds: Histogram<'kind'>;

  constructor() {
    const registers = [this.registry];
    this.appends = new Counter({
      name: 'eschat_event_store_appends_total',
      help: 'Appends to the event store, by outcome (ok, conflict: wrong expected revision, error)',
      labelNames: ['outcome'],
      registers,
    });
    this.appendedEvents = new Counter({
      name: 'eschat_event_store_appended_events_total',
      help: 'Events appended to the event store',
      registers,
    });
    this.appendSeconds = new Histogram({
      name: 'eschat_event_store_append_seconds',
      help: 'Time from an append call to its outcome (durable when ok)',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.readEvents = new Counter({
      name: 'eschat_event_store_read_events_total',
      help: 'Events returned by reads of the event store, by read (all: the whole log, stream: one stream); subscriptions are not counted',
      labelNames: ['read'],
      registers,
    });
    this.requests = new Counter({
      name: 'eschat_http_requests_total',
      help: 'HTTP requests answered, by method, matched route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'eschat_http_request_seconds',
      help: 'Time to answer an HTTP request',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.connections = new Gauge({
      name: 'eschat_realtime_connections',
      help: 'Signed-in real-time connections, by transport (websocket, tls, tcp)',
      labelNames: ['transport'],
      registers,
    });
    this.deliveries = new Counter({
      name: 'eschat_realtime_deliveries_total',
      help: 'Live deliveries handed to connections, by kind (message, notification)',
      labelNames: ['kind'],
      registers,
    });
    this.deliverySeconds = new Histogram({
      name: 'eschat_realtime_delivery_seconds',
      help: 'From the command that created an event to its delivery to a connection',
      labelNames: ['kind'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    // Started with the server rather than at the first scrape: the event-loop and GC figures cover its whole life.
    processMetrics();
  }

  appended(outcome: AppendOutcome, events: number, seconds: number): void {
    this.appends.inc({ outcome });
    this.appendSeconds.observe({ outcome }, seconds);
    if (outcome === 'ok') this.appendedEvents.inc(events);
  }

  read(kind: ReadKind, events: number): void {
    this.readEvents.inc({ read: kind }, events);
  }

  /** `route` is the pattern the router matched (`/v1/rooms/:id`), never the raw path: bounded label values. */
  requestAnswered(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.requestSeconds.observe({ method, route }, seconds);
  }

  connectionOpened(transport: string): void {
    this.connections.inc({ transport });
  }

  connectionClosed(transport: string): void {
    this.connections.dec({ transport });
  }

  /** One delivery handed to `connections` connections at once, `seconds` after its command. */
  delivered(kind: string, seconds: number, connections = 1): void {
    this.deliveries.inc({ kind }, connections);
    // A histogram takes one observation at a time: one per connection, as the counter counts.
    for (let i = 0; i < connections; i++) this.deliverySeconds.observe({ kind }, seconds);
  }

  /** Projection lag and failures, read from `status` on each scrape rather than pushed on every batch. */
  watchProjections(status: () => Promise<readonly ProjectionGauge[]>): void {
    const gauge = (name: string, help: string, value: (projection: ProjectionGauge) => number): Gauge<'projection'> =>
      new Gauge({
        name,
        help,
        labelNames: ['projection'],
        registers: [this.registry],
        async collect() {
          for (const projection of await status()) this.set({ projection: projection.name }, value(projection));
        },
      });
    gauge(
      'eschat_projection_lag',
      'Global positions between a projection and the head of the log (events with SQLite, log bytes with EventStoreDB)',
      (projection) => projection.lag,
    );
    gauge('eschat_projection_failed', '1 when the projection stopped on an error', (projection) => (projection.state === 'failed' ? 1 : 0));
  }

  /** The Prometheus text exposition of every instrument, and of the process. */
  async scrape(): Promise<string> {
    const texts = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return texts.join('\n');
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
