import type { Position } from '../events/recorded-event.js';
import type { ProjectionStatus } from '../projections/runner.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { ReadStore } from '../store/ports/read-store.js';
import type { FeedState } from '../store/live-feed.js';

/**
 * `ready`: serving with the read models caught up or keeping up (CatchUp). `starting`: up, but
 * the read models have not reached the head of the log since the start, or stopped moving while
 * behind. `degraded`: a store does not answer, a projection stopped on an error or was
 * superseded by a newer version, or the live feed has been down past its bound.
 */
export type HealthStatus = 'ready' | 'starting' | 'degraded';

export interface Probe {
  ok: boolean;
  error?: string;
}

export interface HealthReport {
  status: HealthStatus;
  event_store: Probe & { head?: Position };
  read_store: Probe;
  projections: Probe & { caught_up: boolean; list: Pick<ProjectionStatus, 'name' | 'state' | 'position' | 'lag'>[] };
  realtime: { connections: number };
  live_feed: FeedProbe;
}

/**
 * The live feed: `resubscribing` after the server dropped it (since when, how many tries, the
 * last error), not ok once that has lasted past the bound: the process is then frozen on an
 * old view of the log, and only a restart is sure to help.
 */
export type FeedProbe = Probe & { state: FeedState['state']; since?: string; attempts?: number };

/** `GET /v1/health/live`: whether an orchestrator should leave this process running. */
export interface LivenessReport {
  status: 'alive' | 'dead';
  live_feed: FeedProbe;
}

/** The feed and how long it may stay down; composed in app.ts. */
export interface FeedSource {
  feed: { readonly state: FeedState };
  /** How long the feed may keep failing to resubscribe before the process counts as dead. */
  deadAfterMs: number;
}

/** What the check reads; composed in app.ts. */
export interface HealthSources {
  store: Pick<EventStore, 'headPosition'>;
  readStore: Pick<ReadStore, 'listCollections'>;
  projections: {
    status(): Promise<ProjectionStatus[]>;
    waitFor(position: Position, timeoutMs: number): Promise<boolean>;
    /** The position every projection has applied. */
    readonly position: Position;
  };
  connections(): number;
  liveFeed: FeedSource;
  /** This process's readiness across checks. */
  catchUp: CatchUp;
}

/**
 * A load balancer polls this every few seconds: no probe may hang it. A store that does not
 * answer within this counts as down (a MongoDB driver would otherwise wait 30 s for a server).
 */
const PROBE_TIMEOUT_MS = 2000;
/** The read side counts as caught up when it reaches the head read at the check within this. */
const CATCH_UP_MS = 1000;
/** How long a read side that was caught up stays ready while behind without moving. */
export const CATCH_UP_GRACE_MS = 30_000;

/**
 * Readiness of the read side across checks: caught up now, or, once it has been caught up
 * since the start, making progress: caught up within the grace, or applied more since the
 * previous check. Under a slowdown every process shares (a slow read store, a burst of
 * writes) each falls a little behind while still applying: "caught up within 1 s" alone would
 * mark every backend down at once, and the proxy would cut every socket into a reconnect storm
 * on top of the overload. A process stuck (nothing applied for the grace) or never caught up
 * since its start (still catching up from its checkpoint) is not ready.
 */
export class CatchUp {
  private caughtUpAt: number | null = null;
  private lastPosition: Position | null = null;

  constructor(private readonly graceMs: number = CATCH_UP_GRACE_MS) {}

  /** Whether the read side counts as ready, given whether it is caught up now and where it is. */
  ready(caughtUp: boolean, position: Position, now: number = Date.now()): boolean {
    const moved = this.lastPosition !== null && position > this.lastPosition;
    this.lastPosition = position;
    if (caughtUp) this.caughtUpAt = now;
    if (caughtUp || this.caughtUpAt === null) return caughtUp;
    if (moved) this.caughtUpAt = now;
    return now - this.caughtUpAt < this.graceMs;
  }
}

/** The state of every part a request depends on; its status decides 200 or 503. */
export async function checkHealth(sources: HealthSources): Promise<HealthReport> {
  const [head, readStore, statuses] = await Promise.all([
    probe(() => sources.store.headPosition()),
    probe(() => sources.readStore.listCollections()),
    probe(() => sources.projections.status()),
  ]);
  const caughtUp = head.value !== undefined && (await sources.projections.waitFor(head.value, CATCH_UP_MS));
  const ready = sources.catchUp.ready(caughtUp, sources.projections.position);
  const list = (statuses.value ?? []).map(({ name, state, position, lag }) => ({ name, state, position, lag }));
  const failed = list.filter((projection) => projection.state === 'failed').map((projection) => projection.name);
  const superseded = list.filter((projection) => projection.state === 'superseded').map((projection) => projection.name);
  const stopped = [
    ...(failed.length > 0 ? [`failed: ${failed.join(', ')}`] : []),
    ...(superseded.length > 0 ? [`superseded by a newer version: ${superseded.join(', ')}`] : []),
  ];
  const projections = stopped.length > 0 ? { ok: false, error: stopped.join('; ') } : withoutValue(statuses);
  return {
    status: !head.ok || !readStore.ok || !projections.ok || !feedProbe(sources.liveFeed).ok ? 'degraded' : ready ? 'ready' : 'starting',
    event_store: { ...withoutValue(head), ...(head.value === undefined ? {} : { head: head.value }) },
    read_store: withoutValue(readStore),
    projections: { ...projections, caught_up: caughtUp, list },
    realtime: { connections: sources.connections() },
    live_feed: feedProbe(sources.liveFeed),
  };
}

/** Alive unless the live feed has been down past its bound; a store that does not answer is readiness's business. */
export function checkLiveness(source: FeedSource, now: number = Date.now()): LivenessReport {
  const live_feed = feedProbe(source, now);
  return { status: live_feed.ok ? 'alive' : 'dead', live_feed };
}

function feedProbe({ feed, deadAfterMs }: FeedSource, now: number = Date.now()): FeedProbe {
  const current = feed.state;
  if (current.state !== 'resubscribing') return { ok: current.state === 'live', state: current.state };
  const ok = now - current.since < deadAfterMs;
  return {
    ok,
    state: current.state,
    since: new Date(current.since).toISOString(),
    attempts: current.attempts,
    error: ok ? current.error : `down for more than ${Math.round(deadAfterMs / 1000)} s: ${current.error}`,
  };
}

interface Probed<T> extends Probe {
  value?: T;
}

async function probe<T>(read: () => Promise<T>): Promise<Probed<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  try {
    return { ok: true, value: await Promise.race([read(), timeout]) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

function withoutValue<T>({ ok, error }: Probed<T>): Probe {
  return error === undefined ? { ok } : { ok, error };
}
