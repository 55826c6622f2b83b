import { randomUUID } from 'node:crypto';
import type { Observable, Subscription } from 'rxjs';
import type { EschatEvent, StoredEvent } from '../events/eschat-event.js';
import { EventTypes } from '../events/event-types.js';
import type { Position } from '../events/recorded-event.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { Collection, CollectionWrites, Document, ReadStore, WriteOperation } from '../store/ports/read-store.js';
import { isTransient } from '../store/ports/transient-error.js';
import type { Projection, ReadOperation } from './projection.js';
import type { ReadModels } from './read-models.js';
import { backoffDelay } from '../store/ports/backoff.js';

export interface ProjectionStatus {
  name: string;
  version: number;
  generation: number;
  position: Position;
  head: Position;
  lag: number;
  /**
   * `retrying`: a batch failed on a transient error and is tried again (error says which);
   * `superseded`: a newer version of the projection is live and no process of this one kept its
   * generation (see `retire`), this process no longer writes it;
   * `failed`: stopped on an error that retrying cannot help (error says which).
   */
  state: 'live' | 'rebuilding' | 'retrying' | 'superseded' | 'failed';
  error?: string;
}

export interface Checkpoint extends Document {
  _id: string;
  version: number;
  generation: number;
  position: Position;
  /** The log it was built on (LogIdentity); absent in checkpoints written before it was kept. */
  log?: string | null;
}

/** Who rebuilds a projection, and into which generation: one process at a time, until `expires` (ms). */
export interface Lease extends Document {
  _id: string;
  holder: string | null;
  version: number;
  generation: number;
  expires: number;
}

/** A process's heartbeat: the generations (`<projection>.g<n>`) it serves or builds, as of `at` (ms). */
export interface Reader extends Document {
  _id: string;
  serves: string[];
  at: number;
}

interface Running {
  projection: Projection;
  /** The checkpoint this process follows: the projection's, or its version's retired one (`retiredId`). */
  checkpointId: string;
  /** What the projection handles: the runner gives it those events only. */
  types: EventTypes<EschatEvent>;
  generation: number;
  /** Applied up to here: the stored checkpoint, or past it by events that held nothing for it. */
  position: Position;
  /** The checkpoint as this process last read or wrote it: what its next batch is fenced on. */
  stored: Checkpoint | null;
  /** When `stored` was last written by this process (ms). */
  storedAt: number;
  rebuilding: boolean;
  /** The generation this process is building, while it holds the lease. */
  building?: number;
  /** Built by an older version or on another log: not fed until a rebuild (here or elsewhere) replaces it. */
  stale: boolean;
  /** A newer version's generation is live and this version's was dropped: this process stops writing (see `follow`). */
  superseded?: number;
  /** The last transient error, while a batch is retried. */
  retrying?: string;
  error?: string;
}

export interface RunnerOptions {
  batchSize?: number;
  /** Where live events come from; by default a subscription of the runner's own. */
  subscribe?: (from: Position) => Observable<StoredEvent>;
  /** Reports a projection that failed to apply a batch; it stops there, the others go on. */
  onError?: (projection: string, error: unknown) => void;
  /** Reports what an operator should know: a rebuild taken over, a generation dropped, a retry. */
  onNotice?: (message: string, fields: Record<string, unknown>) => void;
  /** This process among those sharing the read store (default: a random UUID). */
  processId?: string;
  /** How often the checkpoints are read again and the heartbeat written (ms); 0: only when `refresh` is called. */
  refreshMs?: number;
  /** How long a rebuild's lease lasts unless renewed (ms). */
  leaseMs?: number;
  /** A process whose heartbeat is older than this is gone; a generation nobody served for this long is dropped (ms). */
  readerTtlMs?: number;
  /** Backoff of a batch retried after a transient error: doubles from `initial` up to `max` (ms). */
  retryMs?: { initial: number; max: number };
  /** The clock of leases and heartbeats. */
  now?: () => number;
}

export const CHECKPOINTS = 'projection_checkpoints';
export const LEASES = 'projection_leases';
export const READERS = 'projection_readers';
const REBUILD_PAGE = 5000;
/**
 * Events a batch holds at most. A catch-up's batch takes what the log's pages brought, up to
 * this (the SQLite log sends 4,096 events at a time and reads the next meanwhile; a server's feed
 * holds at 5,000): two to four times fewer transactions than at 2,000, each of which writes again
 * every page it touched (the 1M log's rebuild: ~8% less CPU on the main thread). A live batch is
 * what arrived meanwhile, far less.
 */
const BATCH_SIZE = 8192;
/**
 * How long a projection's stored checkpoint may stay behind events that held nothing for it.
 * A batch writes only the checkpoints of projections it has events for (one write per event
 * under live traffic, not one per projection); an idle one is moved at most this often, at the
 * end of a catch-up and at `close`, so that a start after a crash rereads at most this much of
 * the log for it — a few seconds of events, against a write per projection per batch.
 */
export const IDLE_CHECKPOINT_MS = 5000;

/**
 * Keeps every projection's collections up to date: catches up from each checkpoint, then
 * follows the live subscription. Batches are applied one at a time, in order; a rebuild
 * fills a new generation of collections beside the served one and swaps when caught up.
 *
 * Several processes may follow one log into one read store. Each batch of a projection
 * commits with its checkpoint's move, fenced on the checkpoint as this process last saw it
 * (ReadStore.commitFenced): when another process moved it meanwhile, nothing is applied, the
 * runner reads the checkpoint again and goes on from there (reading from the log what lies
 * between it and the batch). So a lagging process never writes old state over newer, a process
 * stopped mid-batch leaves nothing half-applied, and no event is skipped.
 *
 * Generations are agreed on through the read store. A rebuild takes the projection's lease
 * (LEASES: one rebuilder at a time, renewed every page, taken over once expired), fills a
 * generation nobody else writes, and swaps the checkpoint to it, fenced. Every process reads
 * the checkpoints again every `refreshMs` and on a refused batch, and moves its queries and
 * writes to the new generation. Each records the generations it serves in READERS with a
 * heartbeat; a generation that is not the checkpoint's, not being built under a live lease and
 * that no live process has served for `readerTtlMs` is dropped, by whichever process sees it
 * first.
 *
 * A version bump retires the old version's checkpoint rather than ending it: the swap to the
 * new version's generation copies the checkpoint it replaces to `<projection>@v<old version>`
 * in the same fenced commit. Processes of the old version (a rolling deploy) then follow that
 * one, fenced like any other, and keep their generation complete and current, so they serve
 * correct reads until they are replaced; it is dropped with its generation once no live process
 * serves it. A process of an old version that finds no retired checkpoint of its version
 * (started after the last of its kind left) stops writing: superseded.
 */
export class ProjectionRunner implements ReadModels {
  private readonly running = new Map<string, Running>();
  private readonly collections = new Map<string, Collection<Document>>();
  private queue: StoredEvent[] = [];
  private draining = false;
  private tail: Promise<unknown> = Promise.resolve();
  private applied: Position = 0;
  private origin: Position = 0;
  private waiters: Array<{ position: Position; resolve: (reached: boolean) => void }> = [];
  private subscription: Subscription | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** The log's identity, once it has an event. */
  private logId: string | null = null;
  /** When each unserved generation (`<projection>.g<n>`) was first seen unserved. */
  private readonly unserved = new Map<string, number>();
  /** The rebuilds this process runs, by projection. */
  private readonly rebuilds = new Map<string, Promise<void>>();
  /** The refresh under way: a slow one is not run twice at once. */
  private refreshing: Promise<void> | null = null;
  private readonly batchSize: number;
  private readonly processId: string;
  private readonly leaseMs: number;
  private readonly readerTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    private readonly projections: readonly Projection[],
    private readonly options: RunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? BATCH_SIZE;
    this.processId = options.processId ?? randomUUID();
    this.leaseMs = options.leaseMs ?? 30_000;
    this.readerTtlMs = options.readerTtlMs ?? 15_000;
    this.now = options.now ?? Date.now;
  }

  /** Resolves once every projection has caught up with the log as it was at the call. */
  async start(): Promise<void> {
    this.logId = await logIdentity(this.store);
    const outdated: string[] = [];
    /** The generations this process begins empty: filled by the catch-up below. */
    const filled: Running[] = [];
    for (const projection of this.projections) {
      const saved = await this.readCheckpoint(projection.name);
      // Listed after the checkpoint is read: whoever wrote it had made its collections first.
      const existing = new Set(await this.readStore.listCollections());
      const entry: Running = {
        projection,
        checkpointId: projection.name,
        types: new EventTypes(projection.eventTypes),
        generation: saved?.generation ?? 1,
        position: 0,
        stored: saved,
        storedAt: this.now(),
        rebuilding: false,
        stale: false,
      };
      this.running.set(projection.name, entry);
      if (!saved) {
        await this.prepare(projection, entry.generation);
        const first = this.checkpointOf(entry, entry.generation, 0);
        if (await this.readStore.commitFenced({ fences: CHECKPOINTS, from: null, to: first, writes: [] })) {
          entry.stored = first;
          filled.push(entry);
        } else await this.follow(entry); // another process made it first
        continue;
      }
      const reason = this.outdatedBecause(projection, saved, existing);
      if (saved.version > projection.version) await this.retire(entry, saved.version);
      else if (reason) {
        entry.stale = true;
        outdated.push(projection.name);
        this.notice(`${projection.name} is rebuilt: ${reason}`, { projection: projection.name, checkpoint: saved });
      } else entry.position = saved.position;
    }
    // Listed before the catch-up: nobody drops what this process is about to serve.
    await this.heartbeat();
    const live = [...this.running.values()].filter((entry) => !entry.stale && entry.superseded === undefined);
    const from = live.length > 0 ? Math.min(...live.map((entry) => entry.position)) : await this.store.headPosition();
    this.applied = from;
    this.origin = from;
    const events = this.options.subscribe ? this.options.subscribe(from) : this.store.subscribe(from);
    this.subscription = events.subscribe({
      next: (event) => this.enqueue(event),
      error: (error: unknown) => this.options.onError?.('subscription', error),
    });
    if (this.options.refreshMs !== 0) {
      const refresh = () => void this.refresh().catch((error: unknown) => this.options.onError?.('refresh', error));
      this.timer = setInterval(refresh, this.options.refreshMs ?? 2000);
      this.timer.unref();
    }
    await this.waitFor(await this.store.headPosition(), Infinity);
    await this.exclusive(() => this.saveIdle(0));
    // Declared again once filled: a store that put an index off while its collection filled makes it now, not at the first query.
    for (const entry of filled) {
      if (!entry.error && !entry.stale && entry.superseded === undefined) await this.prepare(entry.projection, entry.generation);
    }
    for (const name of outdated) await this.rebuildUnlessLeased(name);
  }

  /** Stops following the log, saves the checkpoints of projections idle since their last batch, and leaves the readers. */
  async close(): Promise<void> {
    this.stop();
    await this.exclusive(() => this.saveIdle(0));
    await this.readStore.collection<Reader>(READERS).deleteOne({ _id: this.processId });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.subscription?.unsubscribe();
    this.subscription = null;
    for (const waiter of this.waiters) waiter.resolve(false);
    this.waiters = [];
  }

  /** Where `start` began to read the log (0 when every read model was built from scratch). */
  get startedFrom(): Position {
    return this.origin;
  }

  /** The position every projection has applied. */
  get position(): Position {
    return this.applied;
  }

  collection<T extends Document>(projection: string, name: string): Collection<T> {
    const entry = this.running.get(projection);
    if (!entry) throw new Error(`unknown projection ${projection}`);
    return this.physical(projection, name, entry.generation) as unknown as Collection<T>;
  }

  waitFor(position: Position, timeoutMs = 5000): Promise<boolean> {
    if (this.applied >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { position, resolve };
      this.waiters.push(waiter);
      if (timeoutMs === Infinity) return;
      setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        resolve(false);
      }, timeoutMs).unref();
    });
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.store.headPosition();
    return [...this.running.values()].map((entry) => ({
      name: entry.projection.name,
      version: entry.projection.version,
      generation: entry.generation,
      position: entry.position,
      head,
      lag: Math.max(0, head - Math.max(entry.position, this.applied)),
      ...stateOf(entry),
    }));
  }

  /** Rebuilds one projection (or all) from the start of the log, beside the served version. */
  async rebuild(name?: string, onProgress?: (position: Position, head: Position) => void): Promise<void> {
    const names = name ? [name] : this.projections.map((projection) => projection.name);
    for (const each of names) {
      const { checkpointId, projection } = this.entry(each);
      if (checkpointId !== each) {
        throw new Error(`${each}: a newer version is live; this process (version ${projection.version}) only keeps its own up to date`);
      }
    }
    for (const each of names) {
      if (this.rebuilds.has(each)) throw new Error(`${each}: this process is rebuilding it already`);
      const lease = await this.takeLease(this.entry(each));
      if (typeof lease === 'string') throw new Error(`${each}: ${lease}`);
      await this.tracked(each, () => this.rebuildOne(each, lease, onProgress));
    }
  }

  /**
   * What every process does every `refreshMs`: writes its heartbeat, reads every checkpoint
   * again and follows a swap made elsewhere, takes over the rebuild of a stale projection whose
   * rebuilder died, and drops the generations nobody serves any more.
   */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.refreshing ??= this.refreshOnce().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    await this.heartbeat();
    for (const entry of this.running.values()) {
      if (entry.error || entry.superseded !== undefined || this.rebuilds.has(entry.projection.name)) continue;
      const saved = await this.readCheckpoint(entry.checkpointId);
      const retiredGone = !saved && entry.checkpointId !== entry.projection.name;
      if (!saved && !retiredGone) continue;
      if (
        retiredGone ||
        (saved && saved.version > entry.projection.version) ||
        (saved && saved.version === entry.projection.version && saved.generation !== entry.generation && saved.log === this.logId)
      ) {
        await this.exclusive(async () => {
          await this.follow(entry);
          if (entry.superseded !== undefined) return;
          entry.stale = false;
          // The swap's position may be behind this process's: catch the new generation up from the log.
          await this.advance(entry, [], this.applied, this.applied);
          this.notice(`${entry.projection.name} moved to generation ${entry.generation}`, { projection: entry.projection.name });
        });
      } else if (entry.stale) {
        // In the background: the heartbeats go on meanwhile, or others would drop what this process serves.
        void this.rebuildUnlessLeased(entry.projection.name);
      }
    }
    await this.heartbeat();
    await this.reap();
  }

  private entry(name: string): Running {
    const entry = this.running.get(name);
    if (!entry) throw new Error(`unknown projection ${name}`);
    return entry;
  }

  /** Why a saved checkpoint cannot be resumed, or null when it can. */
  private outdatedBecause(projection: Projection, saved: Checkpoint, existing: ReadonlySet<string>): string | null {
    if (saved.version < projection.version) return `version ${saved.version} is stored, this process builds ${projection.version}`;
    if (saved.log != null && saved.log !== this.logId)
      return `it was built on another log (${saved.log}; this one is ${this.logId ?? 'empty'})`;
    if (!this.hasCollections(projection, saved.generation, existing))
      return `the collections of generation ${saved.generation} are missing`;
    return null;
  }

  private supersede(entry: Running, version: number): void {
    if (entry.superseded !== undefined) return;
    entry.superseded = version;
    this.notice(
      `${entry.projection.name}: version ${version} is live; this process (version ${entry.projection.version}) stops writing it`,
      {
        projection: entry.projection.name,
      },
    );
  }

  /**
   * A newer version is live on the projection's checkpoint: this process follows its own
   * version's retired checkpoint, if processes of its version still keep it, or else stops writing.
   */
  private async retire(entry: Running, newer: number): Promise<void> {
    const { projection } = entry;
    const retired = await this.readCheckpoint(retiredId(projection.name, projection.version));
    if (!retired || retired.version !== projection.version) return this.supersede(entry, newer);
    if (entry.checkpointId !== retired._id) {
      this.notice(
        `${projection.name}: version ${newer} is live; this process (version ${projection.version}) keeps generation ${retired.generation} up to date until it is replaced`,
        { projection: projection.name },
      );
    }
    entry.checkpointId = retired._id;
    entry.generation = retired.generation;
    entry.stored = retired;
    entry.position = retired.position;
  }

  /** Rebuilds a stale projection unless another live process holds its lease (it will swap; `refresh` follows). */
  private rebuildUnlessLeased(name: string): Promise<void> {
    const running = this.rebuilds.get(name);
    if (running || this.stopped) return running ?? Promise.resolve();
    return this.tracked(name, async () => {
      const lease = await this.takeLease(this.entry(name));
      if (typeof lease === 'string') return;
      try {
        await this.rebuildOne(name, lease);
      } catch (error) {
        this.notice(`${name}: the rebuild failed; another try at the next refresh`, { projection: name, err: error });
      }
    });
  }

  /** Runs `rebuild` as this process's one rebuild of `name`. */
  private tracked(name: string, rebuild: () => Promise<void>): Promise<void> {
    const run = rebuild().finally(() => this.rebuilds.delete(name));
    this.rebuilds.set(name, run);
    return run;
  }

  /** The projection's lease for this process, or why not: another live process holds it. */
  private async takeLease({ projection }: Running): Promise<Lease | string> {
    const leases = this.readStore.collection<Lease>(LEASES);
    const current = await leases.findOne({ _id: projection.name });
    const now = this.now();
    if (current?.holder && current.holder !== this.processId && current.expires > now) {
      return `process ${current.holder} is rebuilding it (lease until ${new Date(current.expires).toISOString()})`;
    }
    if (current?.holder && current.holder !== this.processId) {
      this.notice(`${projection.name}: the rebuild of process ${current.holder} is taken over (its lease expired)`, {
        projection: projection.name,
      });
    }
    const saved = await this.readCheckpoint(projection.name);
    // Past every generation ever served or started: a dead rebuilder's leftovers are never reused.
    const generation = Math.max(saved?.generation ?? 0, current?.generation ?? 0) + 1;
    const lease: Lease = {
      _id: projection.name,
      holder: this.processId,
      version: projection.version,
      generation,
      expires: now + this.leaseMs,
    };
    if (await this.readStore.commitFenced({ fences: LEASES, from: current, to: lease, writes: [] })) return lease;
    return 'another process took the lease first';
  }

  /** Extends the lease; throws when it was lost (it expired and another process took it). */
  private async renew(lease: Lease): Promise<Lease> {
    const renewed = { ...lease, expires: this.now() + this.leaseMs };
    if (await this.readStore.commitFenced({ fences: LEASES, from: lease, to: renewed, writes: [] })) return renewed;
    throw new Error(`${lease._id}: the rebuild's lease was lost to another process`);
  }

  private async rebuildOne(name: string, taken: Lease, onProgress?: (position: Position, head: Position) => void): Promise<void> {
    const entry = this.entry(name);
    const { projection } = entry;
    const { generation } = taken;
    let lease = taken;
    entry.rebuilding = true;
    entry.building = generation;
    try {
      await this.prepare(projection, generation);
      await this.heartbeat();
      let position = 0;
      const head = await this.store.headPosition();
      for (;;) {
        const page = await this.store.readAll({ from: position, maxCount: REBUILD_PAGE, filter: { eventTypes: projection.eventTypes } });
        await this.applyTo(entry, generation, page);
        position = page.at(-1)?.position ?? position;
        lease = await this.renew(lease);
        onProgress?.(position, head);
        if (page.length < REBUILD_PAGE) break;
      }
      await this.prepare(projection, generation); // its indexes made before it is served (see start)
      // The final stretch and the swap happen between two live batches, so nothing is missed.
      await this.exclusive(async () => {
        lease = await this.renew(lease);
        const rest = await this.readAllBetween(position, this.applied, projection.eventTypes);
        const to = this.checkpointOf(entry, generation, this.applied);
        const writes = this.writesOf(entry, generation, rest);
        // Fenced on the served checkpoint: other processes may still move it meanwhile (then
        // this one takes theirs and tries again). No other swaps now (the lease, just renewed): a
        // generation changed since this process read it was swapped in before the lease was taken.
        while (
          !(await this.readStore.commitFenced({
            fences: CHECKPOINTS,
            from: entry.stored,
            to,
            writes: [...writes, ...retiring(entry.stored, projection.version)],
          }))
        ) {
          const saved = await this.readCheckpoint(projection.name);
          if (saved && saved.version > projection.version) {
            throw new Error(`${name}: version ${saved.version} was swapped in during the rebuild of version ${projection.version}`);
          }
          entry.stored = saved;
        }
        entry.generation = generation;
        entry.position = this.applied;
        entry.stored = to;
        entry.storedAt = this.now();
        entry.stale = false;
        delete entry.error;
      });
      onProgress?.(head, head);
    } finally {
      entry.rebuilding = false;
      delete entry.building;
      await this.readStore
        .commitFenced({ fences: LEASES, from: lease, to: { ...lease, holder: null, expires: 0 }, writes: [] })
        .catch(() => false);
      await this.heartbeat().catch(() => undefined);
    }
  }

  private async readAllBetween(after: Position, upTo: Position, eventTypes: readonly string[]): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    let position = after;
    for (;;) {
      const page = await this.store.readAll({ from: position, maxCount: REBUILD_PAGE, filter: { eventTypes } });
      for (const event of page) if (event.position <= upTo) events.push(event);
      const last = page.at(-1);
      if (!last || last.position >= upTo || page.length < REBUILD_PAGE) return events;
      position = last.position;
    }
  }

  private enqueue(event: StoredEvent): void {
    this.queue.push(event);
    if (this.draining) return;
    // From the next microtask: the rest of a run the feed emits at once (a commit's events) joins this batch, one transaction per projection, not two.
    this.draining = true;
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // Taken whole, then cut: a source that emits a long run at once (a catch-up) is not
        // shifted down by a splice per batch. Events that arrive meanwhile wait in a new queue.
        const pending = this.queue;
        this.queue = [];
        for (let at = 0; at < pending.length; at += this.batchSize) {
          const batch = pending.slice(at, at + this.batchSize);
          await this.exclusive(() => this.applyBatch(batch));
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async applyBatch(batch: readonly StoredEvent[]): Promise<void> {
    const last = batch[batch.length - 1];
    if (!last) return;
    this.logId ??= await logIdentity(this.store);
    const covered = this.applied;
    for (const entry of this.running.values()) {
      if (entry.error || entry.stale || entry.superseded !== undefined || entry.position >= last.position) continue;
      await this.advanceRetrying(entry, batch, covered, last.position);
    }
    this.applied = last.position;
    await this.saveIdle(IDLE_CHECKPOINT_MS);
    this.wakeWaiters();
  }

  /**
   * `advance`, tried again with capped backoff while it fails on a transient error (nothing of
   * a refused or failed commit is applied, so the retry starts from where it stood); only an
   * error retrying cannot help marks the projection failed.
   */
  private async advanceRetrying(entry: Running, batch: readonly StoredEvent[], covered: Position, to: Position): Promise<void> {
    const { initial, max } = this.options.retryMs ?? { initial: 100, max: 5000 };
    for (let attempt = 1; ; attempt++) {
      try {
        await this.advance(entry, batch, covered, to);
        delete entry.retrying;
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (isTransient(error) && !this.stopped) {
          const delayMs = backoffDelay(attempt, initial, max);
          entry.retrying = message;
          this.notice(`${entry.projection.name}: a batch failed on a transient error; tried again`, {
            projection: entry.projection.name,
            attempt,
            delayMs,
            err: error,
          });
          await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
          continue;
        }
        delete entry.retrying;
        entry.error = message;
        this.options.onError?.(entry.projection.name, error);
        return;
      }
    }
  }

  /**
   * Applies to `entry` the events for it up to `to` that it has not applied: those of `batch`
   * (which holds every event in (`covered`, `to`]) and, when its position is behind `covered`
   * (it took a checkpoint another process swapped in behind this one), those between, read from
   * the log. The checkpoint moves to `to` in the same commit, fenced. When another process moved
   * it, takes it as it now is and goes on from there (nothing left to do, when that one is ahead).
   */
  private async advance(entry: Running, batch: readonly StoredEvent[], covered: Position, to: Position): Promise<void> {
    for (;;) {
      const gap = entry.position < covered ? await this.readAllBetween(entry.position, covered, entry.projection.eventTypes) : [];
      const events = [...gap, ...batch].filter(
        (event) => event.position > entry.position && event.position <= to && entry.types.has(event),
      );
      if (events.length === 0) {
        // Nothing for it here: the stored checkpoint moves later (saveIdle), not a write per batch.
        entry.position = Math.max(entry.position, to);
        return;
      }
      const next = this.checkpointOf(entry, entry.generation, to);
      const writes = this.writesOf(entry, entry.generation, events);
      if (await this.readStore.commitFenced({ fences: CHECKPOINTS, from: entry.stored, to: next, writes })) {
        entry.stored = next;
        entry.storedAt = this.now();
        entry.position = to;
        return;
      }
      await this.follow(entry);
      if (entry.superseded !== undefined || entry.position >= to) return;
    }
  }

  /**
   * Takes the checkpoint another process moved: its generation (a swap) and its position.
   * Behind this process's, `advance` reads the difference from the log. Of a newer version:
   * this process does not switch to the newer generation (its documents have a shape this code
   * does not know); it follows its own version's retired checkpoint (`retire`), fenced as
   * before, and goes on serving and writing its generation while a rolling deploy replaces it.
   * With none left, it stops writing and says `superseded` (health: degraded).
   */
  private async follow(entry: Running): Promise<void> {
    const { projection } = entry;
    const saved = await this.readCheckpoint(entry.checkpointId);
    if (!saved && entry.checkpointId !== projection.name) {
      // Its retired checkpoint was dropped (this process was taken for gone): nothing left to keep up.
      entry.checkpointId = projection.name;
      const live = await this.readCheckpoint(projection.name);
      return this.supersede(entry, live?.version ?? projection.version + 1);
    }
    if (saved && saved.version > projection.version) return this.retire(entry, saved.version);
    if (!saved || saved.version !== projection.version) {
      throw new Error(`another process changed the checkpoint to ${JSON.stringify(saved)}: this version no longer serves it`);
    }
    entry.generation = saved.generation;
    entry.stored = saved;
    entry.position = saved.position;
  }

  /** Saves the checkpoints that stayed behind for `olderThanMs` or more while their projection had no events. */
  private async saveIdle(olderThanMs: number): Promise<void> {
    const now = this.now();
    for (const entry of this.running.values()) {
      if (entry.error || entry.stale || entry.superseded !== undefined || !entry.stored) continue;
      if (entry.position <= entry.stored.position || now - entry.storedAt < olderThanMs) continue;
      const next = this.checkpointOf(entry, entry.generation, entry.position);
      try {
        if (await this.readStore.commitFenced({ fences: CHECKPOINTS, from: entry.stored, to: next, writes: [] })) entry.stored = next;
        // Moved by another process: its position is as good; the next batch will take it.
        entry.storedAt = now;
      } catch (error) {
        this.options.onError?.(entry.projection.name, error);
      }
    }
  }

  /** Records which generations this process serves and builds, now. */
  private async heartbeat(): Promise<void> {
    const serves = new Set<string>();
    for (const entry of this.running.values()) {
      serves.add(`${entry.projection.name}.g${entry.generation}`);
      if (entry.building !== undefined) serves.add(`${entry.projection.name}.g${entry.building}`);
    }
    const reader: Reader = { _id: this.processId, serves: [...serves], at: this.now() };
    await this.readStore.collection<Reader>(READERS).replaceOne({ _id: this.processId }, reader, { upsert: true });
  }

  /**
   * Drops the collections of generations that are not their checkpoint's, not being built under
   * a live lease, and that no live process (a heartbeat within `readerTtlMs`) has listed for
   * `readerTtlMs`: a process that read the checkpoint just before a swap lists its generation
   * well within that, and a process gone for good stops listing it.
   */
  private async reap(): Promise<void> {
    const now = this.now();
    const readers = await this.readStore.collection<Reader>(READERS).find({});
    const served = new Set(readers.filter((reader) => now - reader.at < this.readerTtlMs).flatMap((reader) => reader.serves));
    const leases = await this.readStore.collection<Lease>(LEASES).find({});
    const leased = new Set(
      leases.filter((lease) => lease.holder && lease.expires > now).map((lease) => `${lease._id}.g${lease.generation}`),
    );
    const checkpoints = await this.readStore.collection<Checkpoint>(CHECKPOINTS).find({});
    // A retired version's generation is kept only while a live process of that version serves it.
    const current = new Set<string>();
    const retired = new Map<string, string>();
    for (const checkpoint of checkpoints) {
      const [projection = checkpoint._id] = checkpoint._id.split(RETIRED);
      if (projection === checkpoint._id) current.add(`${projection}.g${checkpoint.generation}`);
      else retired.set(`${projection}.g${checkpoint.generation}`, checkpoint._id);
    }
    const seen = new Set<string>();
    for (const name of await this.readStore.listCollections()) {
      const match = /^(.+)\.[^.]+\.g(\d+)$/.exec(name);
      if (!match || !this.running.has(match[1] ?? '')) continue;
      const generation = `${match[1]}.g${match[2]}`;
      if (current.has(generation) || leased.has(generation) || served.has(generation)) continue;
      seen.add(generation);
      const since = this.unserved.get(generation) ?? now;
      this.unserved.set(generation, since);
      if (now - since < this.readerTtlMs) continue;
      // The checkpoint first: a late writer of that version is then refused, and stops (superseded).
      const retiredCheckpoint = retired.get(generation);
      if (retiredCheckpoint !== undefined) {
        await this.readStore.collection<Checkpoint>(CHECKPOINTS).deleteOne({ _id: retiredCheckpoint });
        retired.delete(generation);
      }
      await this.readStore.collection(name).drop();
      this.collections.delete(name);
      this.notice(`dropped ${name}: no process has served generation ${match[2]} for ${Math.round(this.readerTtlMs / 1000)} s`, {
        collection: name,
      });
    }
    for (const generation of this.unserved.keys()) if (!seen.has(generation)) this.unserved.delete(generation);
  }

  /** Every read operation of `events` for the projection, grouped by physical collection, in order. */
  private writesOf({ projection, types }: Running, generation: number, events: readonly StoredEvent[]): CollectionWrites[] {
    const byCollection = new Map<string, WriteOperation[]>();
    for (const event of events) {
      if (!types.has(event)) continue;
      for (const { collection, operation } of projection.project(event) as ReadOperation[]) {
        let operations = byCollection.get(collection);
        if (!operations) byCollection.set(collection, (operations = []));
        operations.push(operation);
      }
    }
    return [...byCollection].map(([collection, operations]) => ({
      collection: this.physical(projection.name, collection, generation).name,
      operations,
    }));
  }

  /** Fills a generation being rebuilt (nobody else writes it: the lease): plain writes, no checkpoint. */
  private async applyTo(entry: Running, generation: number, events: readonly StoredEvent[]): Promise<void> {
    for (const { collection, operations } of this.writesOf(entry, generation, events)) {
      // Projections build fresh documents from events that nothing changes: the store may keep them.
      await this.readStore.collection(collection).bulkWrite(operations, { handOver: true });
    }
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const waiter of this.waiters) {
      if (this.applied >= waiter.position) waiter.resolve(true);
      else still.push(waiter);
    }
    this.waiters = still;
  }

  /**
   * Creates a generation's indexes, idempotently: two processes starting together on an empty
   * store both get here, and neither drops what the other made or serves. A generation is
   * empty when first prepared (a rebuild's lease gives it a number never used before), and
   * prepared again once filled (a store may have put its indexes off meanwhile).
   */
  private async prepare(projection: Projection, generation: number): Promise<void> {
    for (const spec of projection.collections) {
      const collection = this.physical(projection.name, spec.name, generation);
      for (const index of spec.indexes ?? []) await collection.createIndex(index.keys, { unique: index.unique ?? false });
    }
  }

  /** Whether the collections of a projection's generation are there (those it indexes: the others exist once written). */
  private hasCollections(projection: Projection, generation: number, existing: ReadonlySet<string>): boolean {
    return projection.collections.every(
      (spec) => !spec.indexes?.length || existing.has(this.physical(projection.name, spec.name, generation).name),
    );
  }

  private checkpointOf(entry: Running, generation: number, position: Position): Checkpoint {
    return { _id: entry.checkpointId, version: entry.projection.version, generation, position, log: this.logId };
  }

  private readCheckpoint(name: string): Promise<Checkpoint | null> {
    return this.readStore.collection<Checkpoint>(CHECKPOINTS).findOne({ _id: name });
  }

  private physical(projection: string, name: string, generation: number): Collection<Document> {
    const physicalName = `${projection}.${name}.g${generation}`;
    let collection = this.collections.get(physicalName);
    if (!collection) this.collections.set(physicalName, (collection = this.readStore.collection(physicalName)));
    return collection;
  }

  private notice(message: string, fields: Record<string, unknown>): void {
    this.options.onNotice?.(message, { process: this.processId, ...fields });
  }

  /** Runs `task` after everything queued before it: batches and swaps never interleave. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

const RETIRED = '@v';

/** Where a version's checkpoint goes when a newer version is swapped in: `<projection>@v<version>`. */
export function retiredId(projection: string, version: number): string {
  return `${projection}${RETIRED}${version}`;
}

/** The write that keeps the checkpoint a swap replaces, when it is of an older version, under its retired id. */
function retiring(replaced: Checkpoint | null, version: number): CollectionWrites[] {
  if (!replaced || replaced.version >= version || replaced._id.includes(RETIRED)) return [];
  const _id = retiredId(replaced._id, replaced.version);
  return [{ collection: CHECKPOINTS, operations: [{ replaceOne: { filter: { _id }, replacement: { ...replaced, _id }, upsert: true } }] }];
}

function stateOf(entry: Running): Pick<ProjectionStatus, 'state' | 'error'> {
  if (entry.error) return { state: 'failed', error: entry.error };
  if (entry.superseded !== undefined)
    return { state: 'superseded', error: `version ${entry.superseded} is live; this process builds ${entry.projection.version}` };
  if (entry.rebuilding || entry.stale) return { state: 'rebuilding' };
  if (entry.retrying) return { state: 'retrying', error: entry.retrying };
  return { state: 'live' };
}

/**
 * Which log a read store was built on: the id and position of the log's first event, which
 * every adapter keeps for good (null while the log is empty). Two logs written apart differ in
 * it; a copy keeps its first event's id, and shares its position only when it keeps positions
 * (SQLite to SQLite), when resuming its checkpoints is right.
 */
export async function logIdentity(store: EventStore): Promise<string | null> {
  const [first] = await store.readAll({ maxCount: 1 });
  return first ? `${first.id}@${first.position}` : null;
}
