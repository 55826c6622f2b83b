import type { Observable, Subscription } from 'rxjs';
import type { EschatEvent, StoredEvent } from '../events/eschat-event.js';
import { EventTypes } from '../events/event-types.js';
import type { Position } from '../events/recorded-event.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { Collection, CollectionWrites, Document, ReadStore, WriteOperation } from '../store/ports/read-store.js';
import type { Projection, ReadOperation } from './projection.js';
import type { ReadModels } from './read-models.js';

export interface ProjectionStatus {
  name: string;
  version: number;
  generation: number;
  position: Position;
  head: Position;
  lag: number;
  state: 'live' | 'rebuilding' | 'failed';
  error?: string;
}

export interface Checkpoint extends Document {
  _id: string;
  version: number;
  generation: number;
  position: Position;
}

interface Running {
  projection: Projection;
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
  /** Built by an older version: not fed until its rebuild replaces it. */
  stale: boolean;
  error?: string;
}

export interface RunnerOptions {
  batchSize?: number;
  /** Where live events come from; by default a subscription of the runner's own. */
  subscribe?: (from: Position) => Observable<StoredEvent>;
  /** Reports a projection that failed to apply a batch; it stops there, the others go on. */
  onError?: (projection: string, error: unknown) => void;
}

export const CHECKPOINTS = 'projection_checkpoints';
const REBUILD_PAGE = 5000;
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
 * runner reads the checkpoint again and goes on from there. So a lagging process never writes
 * old state over newer (a session ended elsewhere stays ended), a process stopped mid-batch
 * leaves nothing half-applied, and the checkpoint never moves back nor past an event unapplied.
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
  private readonly batchSize: number;

  constructor(
    private readonly store: EventStore,
    private readonly readStore: ReadStore,
    private readonly projections: readonly Projection[],
    private readonly options: RunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 2000;
  }

  /** Resolves once every projection has caught up with the log as it was at the call. */
  async start(): Promise<void> {
    const checkpoints = this.readStore.collection<Checkpoint>(CHECKPOINTS);
    const existing = new Set(await this.readStore.listCollections());
    const outdated: string[] = [];
    for (const projection of this.projections) {
      const saved = await checkpoints.findOne({ _id: projection.name });
      const current = saved?.version === projection.version;
      const missing = saved !== null && current && !this.hasCollections(projection, saved.generation, existing);
      const entry: Running = {
        projection,
        types: new EventTypes(projection.eventTypes),
        generation: saved?.generation ?? 1,
        position: saved && current ? saved.position : 0,
        stored: saved,
        storedAt: Date.now(),
        rebuilding: false,
        stale: saved !== null && (!current || missing),
      };
      this.running.set(projection.name, entry);
      if (!saved) await this.prepare(projection, entry.generation);
      else if (entry.stale) outdated.push(projection.name);
    }
    const live = [...this.running.values()].filter((entry) => !entry.stale);
    const from = live.length > 0 ? Math.min(...live.map((entry) => entry.position)) : await this.store.headPosition();
    this.applied = from;
    this.origin = from;
    const events = this.options.subscribe ? this.options.subscribe(from) : this.store.subscribe(from);
    this.subscription = events.subscribe({
      next: (event) => this.enqueue(event),
      error: (error: unknown) => this.options.onError?.('subscription', error),
    });
    await this.waitFor(await this.store.headPosition(), Infinity);
    await this.exclusive(() => this.saveIdle(0));
    for (const name of outdated) await this.rebuild(name);
  }

  /** Stops following the log, then saves the checkpoints of projections idle since their last batch. */
  async close(): Promise<void> {
    this.stop();
    await this.exclusive(() => this.saveIdle(0));
  }

  stop(): void {
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
      state: entry.error ? 'failed' : entry.rebuilding ? 'rebuilding' : 'live',
      ...(entry.error ? { error: entry.error } : {}),
    }));
  }

  /** Rebuilds one projection (or all) from the start of the log, beside the served version. */
  async rebuild(name?: string, onProgress?: (position: Position, head: Position) => void): Promise<void> {
    const names = name ? [name] : this.projections.map((projection) => projection.name);
    for (const each of names) await this.rebuildOne(each, onProgress);
  }

  private async rebuildOne(name: string, onProgress?: (position: Position, head: Position) => void): Promise<void> {
    const entry = this.running.get(name);
    if (!entry) throw new Error(`unknown projection ${name}`);
    entry.rebuilding = true;
    const generation = entry.generation + 1;
    const { projection } = entry;
    try {
      await this.prepare(projection, generation, false);
      let position = 0;
      const head = await this.store.headPosition();
      for (;;) {
        const page = await this.store.readAll({ from: position, maxCount: REBUILD_PAGE, filter: { eventTypes: projection.eventTypes } });
        await this.applyTo(entry, generation, page);
        position = page.at(-1)?.position ?? position;
        onProgress?.(position, head);
        if (page.length < REBUILD_PAGE) break;
      }
      // The final stretch and the swap happen between two live batches, so nothing is missed.
      await this.exclusive(async () => {
        const rest = await this.readAllBetween(position, this.applied, projection.eventTypes);
        const previous = entry.generation;
        const to = this.checkpointOf(entry, generation, this.applied);
        // Fenced on the served generation: other processes may still move its checkpoint
        // meanwhile (then this one takes theirs and tries again), but not rebuild it.
        while (
          !(await this.readStore.commitFenced({
            fences: CHECKPOINTS,
            from: entry.stored,
            to,
            writes: this.writesOf(entry, generation, rest),
          }))
        ) {
          const saved = await this.readCheckpoint(projection.name);
          if (saved?.generation !== previous || saved.version !== entry.stored?.version) {
            throw new Error(`${name}: another process changed its checkpoint to ${JSON.stringify(saved)} during the rebuild`);
          }
          entry.stored = saved;
        }
        entry.generation = generation;
        entry.position = this.applied;
        entry.stored = to;
        entry.storedAt = Date.now();
        entry.stale = false;
        delete entry.error;
        for (const spec of projection.collections) await this.physical(name, spec.name, previous).drop();
      });
      onProgress?.(head, head);
    } finally {
      entry.rebuilding = false;
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
    if (!this.draining) void this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
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
    for (const entry of this.running.values()) {
      if (entry.error || entry.stale || entry.position >= last.position) continue;
      try {
        await this.advance(entry, batch, last.position);
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
        this.options.onError?.(entry.projection.name, error);
      }
    }
    this.applied = last.position;
    await this.saveIdle(IDLE_CHECKPOINT_MS);
    this.wakeWaiters();
  }

  /**
   * Applies to `entry` the events of `batch` past its position, with its checkpoint moved to
   * `to`, fenced. When another process moved the checkpoint, takes it as it now is and applies
   * what of the batch lies past it (nothing, when that process is ahead).
   */
  private async advance(entry: Running, batch: readonly StoredEvent[], to: Position): Promise<void> {
    for (;;) {
      const events = batch.filter((event) => event.position > entry.position && entry.types.has(event));
      if (events.length === 0) {
        // Nothing for it here: the stored checkpoint moves later (saveIdle), not a write per batch.
        entry.position = to;
        return;
      }
      const next = this.checkpointOf(entry, entry.generation, to);
      const writes = this.writesOf(entry, entry.generation, events);
      if (await this.readStore.commitFenced({ fences: CHECKPOINTS, from: entry.stored, to: next, writes })) {
        entry.stored = next;
        entry.storedAt = Date.now();
        entry.position = to;
        return;
      }
      await this.follow(entry);
      if (entry.position >= to) return;
    }
  }

  /**
   * Takes the checkpoint another process moved. Between the one this process last saw and the
   * one it has applied in memory there was nothing for the projection, so going on from the
   * other's position (ahead of the last seen: checkpoints only move forward) skips nothing.
   */
  private async follow(entry: Running): Promise<void> {
    const saved = await this.readCheckpoint(entry.projection.name);
    if (!saved || saved.version !== entry.projection.version) {
      throw new Error(`another process changed the checkpoint to ${JSON.stringify(saved)}: this version no longer serves it`);
    }
    entry.generation = saved.generation;
    entry.stored = saved;
    entry.position = saved.position;
  }

  /** Saves the checkpoints that stayed behind for `olderThanMs` or more while their projection had no events. */
  private async saveIdle(olderThanMs: number): Promise<void> {
    const now = Date.now();
    for (const entry of this.running.values()) {
      if (entry.error || entry.stale || !entry.stored) continue;
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

  /** Fills a generation being rebuilt (nobody else writes it): plain writes, no checkpoint. */
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

  private async prepare(projection: Projection, generation: number, save = true): Promise<void> {
    for (const spec of projection.collections) {
      const collection = this.physical(projection.name, spec.name, generation);
      await collection.drop();
      for (const index of spec.indexes ?? []) await collection.createIndex(index.keys, { unique: index.unique ?? false });
    }
    const entry = this.running.get(projection.name);
    if (!save || !entry) return;
    const first = this.checkpointOf(entry, generation, 0);
    if (await this.readStore.commitFenced({ fences: CHECKPOINTS, from: null, to: first, writes: [] })) entry.stored = first;
    else await this.follow(entry); // another process made it first
  }

  /** Whether the collections of a projection's generation are there (those it indexes: the others exist once written). */
  private hasCollections(projection: Projection, generation: number, existing: ReadonlySet<string>): boolean {
    return projection.collections.every(
      (spec) => !spec.indexes?.length || existing.has(this.physical(projection.name, spec.name, generation).name),
    );
  }

  private checkpointOf(entry: Running, generation: number, position: Position): Checkpoint {
    return { _id: entry.projection.name, version: entry.projection.version, generation, position };
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

  /** Runs `task` after everything queued before it: batches and swaps never interleave. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
