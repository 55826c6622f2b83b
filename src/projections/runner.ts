import type { Observable, Subscription } from 'rxjs';
import type { EschatEvent, StoredEvent } from '../events/eschat-event.js';
import { EventTypes } from '../events/event-types.js';
import type { Position } from '../events/recorded-event.js';
import type { EventStore } from '../store/ports/event-store.js';
import type { Collection, Document, ReadStore, WriteOperation } from '../store/ports/read-store.js';
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
  position: Position;
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
 * Keeps every projection's collections up to date: catches up from each checkpoint, then
 * follows the live subscription. Batches are applied one at a time, in order; a rebuild
 * fills a new generation of collections beside the served one and swaps when caught up.
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
    const outdated: string[] = [];
    for (const projection of this.projections) {
      const saved = await checkpoints.findOne({ _id: projection.name });
      const current = saved?.version === projection.version;
      const entry: Running = {
        projection,
        types: new EventTypes(projection.eventTypes),
        generation: saved?.generation ?? 1,
        position: saved && current ? saved.position : 0,
        rebuilding: false,
        stale: saved !== null && !current,
      };
      this.running.set(projection.name, entry);
      if (!saved) await this.prepare(projection, entry.generation);
      else if (!current) outdated.push(projection.name);
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
    for (const name of outdated) await this.rebuild(name);
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
        await this.applyTo(entry, generation, rest);
        const previous = entry.generation;
        entry.generation = generation;
        entry.position = this.applied;
        entry.stale = false;
        delete entry.error;
        await this.saveCheckpoint(entry);
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
      const events = batch.filter((event) => event.position > entry.position);
      try {
        await this.applyTo(entry, entry.generation, events);
        entry.position = last.position;
        await this.saveCheckpoint(entry);
      } catch (error) {
        entry.error = error instanceof Error ? error.message : String(error);
        this.options.onError?.(entry.projection.name, error);
      }
    }
    this.applied = last.position;
    this.wakeWaiters();
  }

  private async applyTo({ projection, types }: Running, generation: number, events: readonly StoredEvent[]): Promise<void> {
    const byCollection = new Map<string, WriteOperation[]>();
    for (const event of events) {
      if (!types.has(event)) continue;
      for (const { collection, operation } of projection.project(event) as ReadOperation[]) {
        let operations = byCollection.get(collection);
        if (!operations) byCollection.set(collection, (operations = []));
        operations.push(operation);
      }
    }
    for (const [collection, operations] of byCollection) {
      // Projections build fresh documents from events that nothing changes: the store may keep them.
      await this.physical(projection.name, collection, generation).bulkWrite(operations, { handOver: true });
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
    if (save && entry) await this.saveCheckpoint(entry);
  }

  private saveCheckpoint(entry: Running): Promise<unknown> {
    const checkpoint: Checkpoint = {
      _id: entry.projection.name,
      version: entry.projection.version,
      generation: entry.generation,
      position: entry.position,
    };
    return this.readStore.collection<Checkpoint>(CHECKPOINTS).replaceOne({ _id: checkpoint._id }, checkpoint, { upsert: true });
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
