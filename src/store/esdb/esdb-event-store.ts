/**
 * The production event store: EventStoreDB / KurrentDB over gRPC, with @kurrent/kurrentdb-client
 * (the successor of @eventstore/db-client: same protocol, EventStoreDB 20.6+ and KurrentDB).
 * Needs a server >= 22.6, which reports the log position of events read from a stream.
 *
 * Positions are the events' commit positions as numbers (byte offsets in the transaction log,
 * far below 2^53). Appends write each event as its own committed record, so every event has
 * a distinct commit position, equal to its prepare position; a position read from this store
 * is therefore also a valid place to start reading from. Positions from elsewhere are not.
 *
 * An append gets `appendTimeoutMs` per try and `appendAttempts` tries with the same event ids:
 * a try that does not answer, or whose connection drops, has an unknown outcome, and the server
 * recognises a retry of one that landed by its ids (at the same expected revision) instead of
 * refusing it as a conflict. After the last try the append fails with AppendTimeoutError.
 *
 * System streams and events (names starting with `$`) are not eschat's business and never
 * leave this adapter.
 */
import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  FORWARDS,
  KurrentDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError as KurrentWrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendStreamState,
  type AppendResult as KurrentAppendResult,
  type CurrentStreamState,
  type EventData,
  type Filter,
  type JSONType,
  type ReadPosition,
} from '@kurrent/kurrentdb-client';
import { Observable, type Subscriber } from 'rxjs';
import type { EventMetadata, NewEvent, Position, Revision, StreamName } from '../../events/recorded-event.js';
import type { StoredEvent } from '../../events/eschat-event.js';
import { storedEvent } from '../../events/stored-event.js';
import {
  WrongExpectedVersionError,
  revisionMatches,
  type AppendOptions,
  type AppendResult,
  type EventFilter,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type SubscribeOptions,
} from '../ports/event-store.js';

/** The fields this adapter uses of the client's recorded events (from a stream or from $all). */
interface EsdbRecordedEvent {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  created: Date;
  data: unknown;
  metadata: unknown;
  position?: { commit: bigint } | undefined;
}

/** The signal board's streams (esdb-signal-board.ts) begin so: never read as the log. */
export const SIGNAL_STREAMS_PREFIX = 'eschat-signals';
/**
 * What a read of $all keeps without another filter: no system streams, not the signal board's
 * (a head or a catch-up on a signal would wait for an event the log's readers never see).
 */
const THE_LOG = streamNameFilter({ regex: `^(?!\\$|${SIGNAL_STREAMS_PREFIX})` });

export interface EsdbOptions {
  /** How long one try of an append may take before it counts as lost (default 10 s). */
  appendTimeoutMs?: number;
  /** Tries of an append whose outcome is unknown, with the same event ids (default 2). */
  appendAttempts?: number;
}

/** The append did not answer within the bound: it may or may not have landed. */
export class AppendTimeoutError extends Error {
  override readonly name = 'AppendTimeoutError';
  constructor(
    readonly stream: StreamName,
    readonly attempts: number,
    readonly timeoutMs: number,
    override readonly cause: unknown,
  ) {
    super(
      `the event store did not confirm the append to ${stream} (${attempts} tries of ${timeoutMs} ms each); ` +
        `it may or may not have been written: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

/** A $all subscription the server ended or dropped: the subscriber resubscribes from its last position. */
export class SubscriptionDroppedError extends Error {
  override readonly name = 'SubscriptionDroppedError';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** 2^64-1: what the server sends for a position it does not know (servers before 22.6, for reads of a stream). */
const UNKNOWN_POSITION = 0xffff_ffff_ffff_ffffn;

export class EsdbEventStore implements EventStore {
  /** Open subscriptions and their subscribers, so close() can end both. */
  private readonly subscriptions = new Map<AllStreamSubscription, Subscriber<StoredEvent>>();
  private closed = false;
  private readonly appendTimeoutMs: number;
  private readonly appendAttempts: number;

  /** Connects and reads the head of the log once, so a wrong address or credentials fail here. */
  static async connect(connectionString: string, options: EsdbOptions = {}): Promise<EsdbEventStore> {
    const client = KurrentDBClient.connectionString(clientConnectionString(connectionString));
    const store = new EsdbEventStore(client, options);
    try {
      await store.headPosition();
    } catch (error) {
      await client.dispose();
      throw error;
    }
    return store;
  }

  private constructor(
    private readonly client: KurrentDBClient,
    options: EsdbOptions,
  ) {
    this.appendTimeoutMs = options.appendTimeoutMs ?? 10_000;
    this.appendAttempts = Math.max(1, options.appendAttempts ?? 2);
  }

  async append(stream: StreamName, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    const expected = options.expectedRevision ?? 'any';
    // The server answers an empty append with revision 0 for a missing stream and no position.
    if (events.length === 0) return this.appendNothing(stream, expected);
    // Ids fixed before the first try: every retry sends the same ones.
    const data = events.map((event) => toEventData(event, event.id ?? randomUUID()));
    const result = await this.appendWithRetry(stream, data, expected);
    const nextRevision = Number(result.nextExpectedRevision);
    if (events.length === 1) return { nextRevision, position: positionOf(result.position) };
    // The server's reply carries one position for the whole write; read the last event's own
    // position rather than rely on which event that is, since callers wait for the whole append.
    return { nextRevision, position: await this.positionAt(stream, nextRevision) };
  }

  private async appendWithRetry(stream: StreamName, data: EventData[], expected: ExpectedRevision): Promise<KurrentAppendResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withTimeout(
          this.client.appendToStream(stream, data, { streamState: toStreamState(expected), deadline: this.appendTimeoutMs }),
          this.appendTimeoutMs,
        );
      } catch (error) {
        if (error instanceof KurrentWrongExpectedVersionError) {
          throw new WrongExpectedVersionError(stream, expected, fromCurrentState(error.actualState));
        }
        if (!outcomeUnknown(error)) throw error;
        if (attempt >= this.appendAttempts || this.closed) {
          throw new AppendTimeoutError(stream, attempt, this.appendTimeoutMs, error);
        }
      }
    }
  }

  async readStream(stream: StreamName, options: ReadStreamOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    const fromRevision = options.fromRevision === undefined ? (backwards ? END : START) : BigInt(options.fromRevision);
    // maxCount goes to the server, so reading one event reads one. System events, which
    // eschat never writes into its own streams, would still count toward it.
    const read = this.client.readStream(stream, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision,
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    try {
      return await collect(read, () => true, options.maxCount);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<StoredEvent[]> {
    this.assertOpen();
    const backwards = options.direction === 'backwards';
    const from = options.from;
    let fromPosition: ReadPosition;
    let inRange: (event: StoredEvent) => boolean;
    if (backwards) {
      fromPosition = from === undefined ? END : toEsdbPosition(from);
      inRange = (event) => from === undefined || event.position < from;
    } else {
      fromPosition = from === undefined || from <= 0 ? START : toEsdbPosition(from);
      // Reading forwards from a position includes the event at it; `from` is exclusive here.
      inRange = (event) => event.position > (from ?? 0);
    }
    // The server filters (one kind of filter per read); whatever it cannot is checked here.
    // No maxCount to the server: `from` is exclusive and system events are skipped, so read on
    // until maxCount events are kept, then stop the read.
    const read = this.client.readAll({
      direction: backwards ? BACKWARDS : FORWARDS,
      fromPosition,
      filter: serverFilter(options.filter),
    });
    return collect(read, (event) => inRange(event) && matches(options.filter, event), options.maxCount);
  }

  /**
   * A read of $all from a position includes the event at it: this is the one read from a
   * position that is not an event's own. Positions are the events' commit (= prepare) positions.
   */
  async readAt(position: Position): Promise<StoredEvent | null> {
    this.assertOpen();
    if (!Number.isSafeInteger(position) || position < 0) return null;
    const read = this.client.readAll({ direction: FORWARDS, fromPosition: toEsdbPosition(position), filter: THE_LOG });
    const [event] = await collect(read, () => true, 1);
    return event?.position === position ? event : null;
  }

  /**
   * A catch-up subscription to $all from `from`: the server sends the stored events, then live
   * ones, without gap or duplicate. When the server drops or ends it, the observable errors
   * with SubscriptionDroppedError; resubscribe from the last position received. While
   * `options.flow` is paused the client stream is paused: gRPC flow control then stops the
   * server, so a catch-up from 0 is not buffered in memory.
   */
  subscribe(from: Position = 0, options: SubscribeOptions = {}): Observable<StoredEvent> {
    return new Observable<StoredEvent>((subscriber) => {
      if (this.closed) return subscriber.error(closedError());
      const subscription = this.client.subscribeToAll({
        fromPosition: from > 0 ? toEsdbPosition(from) : START,
        filter: THE_LOG,
      });
      this.subscriptions.set(subscription, subscriber);
      let delivered = from;
      subscription.on('data', (resolved: AllStreamResolvedEvent) => {
        const event = resolved.event;
        if (event === undefined || isSystem(event)) return;
        let recorded: StoredEvent;
        try {
          recorded = toRecorded(event);
        } catch (error) {
          // Thrown here it would escape into the client's stream machinery.
          return subscriber.error(error);
        }
        // The server starts after `from`; this guard keeps the contract even if it did not.
        if (recorded.position <= delivered) return;
        delivered = recorded.position;
        subscriber.next(recorded);
      });
      subscription.on('error', (error: Error) =>
        subscriber.error(new SubscriptionDroppedError(`the $all subscription dropped after ${delivered}: ${error.message}`, error)),
      );
      // A catch-up subscription to $all has no end of its own: an end is the server letting go.
      subscription.on('end', () =>
        subscriber.error(new SubscriptionDroppedError(`the server ended the $all subscription after ${delivered}`)),
      );
      const flow = options.flow;
      const unwatch = flow?.watch((paused) => (paused ? subscription.pause() : subscription.resume()));
      if (flow?.paused) subscription.pause();
      return () => {
        unwatch?.();
        this.subscriptions.delete(subscription);
        void subscription.unsubscribe();
      };
    });
  }

  async headPosition(): Promise<Position> {
    const [last] = await this.readAll({ direction: 'backwards', maxCount: 1 });
    return last?.position ?? 0;
  }

  /** Completes the subscribers, then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const subscribers = [...this.subscriptions.values()];
    for (const subscriber of subscribers) subscriber.complete();
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw closedError();
  }

  private async appendNothing(stream: StreamName, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const actual = last === undefined ? 'no_stream' : last.revision;
    if (!revisionMatches(expected, actual)) throw new WrongExpectedVersionError(stream, expected, actual);
    return { nextRevision: last?.revision ?? -1, position: last?.position ?? 0 };
  }

  private async positionAt(stream: StreamName, revision: Revision): Promise<Position> {
    const [event] = await this.readStream(stream, { direction: 'backwards', fromRevision: revision, maxCount: 1 });
    if (event === undefined) throw new Error(`event ${revision} of ${stream} vanished right after it was appended`);
    return event.position;
  }
}

/**
 * The client reads `esdb://` too but warns on every connect that it is deprecated: the same
 * address in the successor's scheme. `kurrentdb://` passes as it is.
 */
export function clientConnectionString(connectionString: string): string {
  return connectionString.trim().replace(/^esdb(\+discover)?:\/\//i, (_, discover: string | undefined) => `kurrentdb${discover ?? ''}://`);
}

/** A lost connection, a cancelled call or no answer in time: the append may or may not have landed. */
function outcomeUnknown(error: unknown): boolean {
  return (
    error instanceof TryTimeoutError ||
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof CancelledError
  );
}

class TryTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

/** The client's deadline travels to the server; this bounds the wait for an answer that never comes. */
async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TryTimeoutError(ms)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads until `maxCount` events pass `keep` (system events never do), then stops the read. */
async function collect(
  read: AsyncIterable<{ event?: EsdbRecordedEvent | undefined }>,
  keep: (event: StoredEvent) => boolean,
  maxCount = Number.POSITIVE_INFINITY,
): Promise<StoredEvent[]> {
  const found: StoredEvent[] = [];
  if (maxCount <= 0) return found;
  // Leaving the loop returns the client's generator, which stops the read.
  for await (const resolved of read) {
    const event = resolved.event;
    if (event === undefined || isSystem(event)) continue;
    const recorded = toRecorded(event);
    if (!keep(recorded)) continue;
    found.push(recorded);
    if (found.length >= maxCount) break;
  }
  return found;
}

/**
 * What the server can filter of `filter`: event types (exactly, by a regex) or else stream
 * prefixes; without a filter, no system events. `matches` checks the whole filter again.
 */
function serverFilter(filter: EventFilter | undefined): Filter {
  if (filter?.eventTypes !== undefined) {
    return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` });
  }
  if (filter?.streamPrefixes !== undefined) return streamNameFilter({ prefixes: [...filter.streamPrefixes] });
  return THE_LOG;
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

function closedError(): Error {
  return new Error('EsdbEventStore is closed');
}

function toEventData(event: NewEvent, id: string): EventData {
  return jsonEvent({ id, type: event.type, data: toJsonData(event.data), metadata: event.metadata });
}

/** The client serializes JSON objects, arrays and strings; eschat's events are objects. */
function toJsonData(data: unknown): JSONType {
  if (typeof data === 'string' || (typeof data === 'object' && data !== null)) return data as JSONType;
  throw new TypeError(`EventStoreDB event data must be a JSON object, array or string, not ${String(data)}`);
}

function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return BigInt(expected);
  }
}

function fromCurrentState(current: CurrentStreamState): Revision | 'no_stream' {
  return current === NO_STREAM ? 'no_stream' : Number(current);
}

function toEsdbPosition(position: Position): { commit: bigint; prepare: bigint } {
  const exact = BigInt(position);
  return { commit: exact, prepare: exact };
}

/** A server before 22.6 sends no position, or 2^64-1, for events read from a stream: refused, not turned into a number. */
export function positionOf(position: { commit: bigint } | undefined): Position {
  if (position === undefined || position.commit === UNKNOWN_POSITION) {
    throw new Error('EventStoreDB did not report a log position (server older than 22.6?)');
  }
  return Number(position.commit);
}

/** Not the log: the server's own events, and the signal board's streams, which share the server but are not history. */
function isSystem(event: EsdbRecordedEvent): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$') || event.streamId.startsWith(SIGNAL_STREAMS_PREFIX);
}

function matches(filter: EventFilter | undefined, event: StoredEvent): boolean {
  if (filter === undefined) return true;
  if (filter.eventTypes !== undefined && !filter.eventTypes.includes(event.type)) return false;
  if (filter.streamPrefixes !== undefined && !filter.streamPrefixes.some((prefix) => event.stream.startsWith(prefix))) {
    return false;
  }
  return true;
}

function toRecorded(event: EsdbRecordedEvent): StoredEvent {
  return storedEvent({
    id: event.id,
    stream: event.streamId,
    revision: Number(event.revision),
    position: positionOf(event.position),
    type: event.type,
    data: event.data,
    metadata: toMetadata(event.metadata, event.created),
    created: event.created.getTime(),
  });
}

/**
 * eschat writes metadata as a JSON object and trusts it on the way back. An event appended by
 * another tool may have none (or binary metadata): it gets an empty correlation id and its
 * creation time, rather than breaking every reader of the log.
 */
function toMetadata(metadata: unknown, created: Date): EventMetadata {
  if (typeof metadata === 'object' && metadata !== null && !(metadata instanceof Uint8Array) && !Array.isArray(metadata)) {
    return metadata as EventMetadata;
  }
  return { correlationId: '', at: created.toISOString() };
}
