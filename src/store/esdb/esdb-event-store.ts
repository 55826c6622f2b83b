/**
 * The production event store: EventStoreDB / KurrentDB over gRPC, with @eventstore/db-client 6.
 * Needs a server >= 22.6, which reports the log position of events read from a stream.
 *
 * Positions are the events' commit positions as numbers (byte offsets in the transaction log,
 * far below 2^53). Appends write each event as its own committed record, so every event has
 * a distinct commit position, equal to its prepare position; a position read from this store
 * is therefore also a valid place to start reading from. Positions from elsewhere are not.
 *
 * System streams and events (names starting with `$`) are not eschat's business and never
 * leave this adapter.
 */
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type AppendResult as EsdbAppendResult,
  type CurrentRevision,
  type EventData,
  type JSONType,
  type ReadPosition,
} from '@eventstore/db-client';
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
  position?: { commit: bigint };
}

/** The client's streaming reads: async iterables of resolved events that can be cancelled. */
interface CancellableRead extends AsyncIterable<{ event?: EsdbRecordedEvent }> {
  cancel(): Promise<void>;
}

export class EsdbEventStore implements EventStore {
  /** Open subscriptions and their subscribers, so close() can end both. */
  private readonly subscriptions = new Map<AllStreamSubscription, Subscriber<StoredEvent>>();
  private closed = false;

  /** Connects and reads the head of the log once, so a wrong address or credentials fail here. */
  static async connect(connectionString: string): Promise<EsdbEventStore> {
    const client = EventStoreDBClient.connectionString(connectionString);
    const store = new EsdbEventStore(client);
    try {
      await store.headPosition();
    } catch (error) {
      await client.dispose();
      throw error;
    }
    return store;
  }

  private constructor(private readonly client: EventStoreDBClient) {}

  async append(stream: StreamName, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    const expected = options.expectedRevision ?? 'any';
    // The server answers an empty append with revision 0 for a missing stream and no position.
    if (events.length === 0) return this.appendNothing(stream, expected);
    let result: EsdbAppendResult;
    try {
      result = await this.client.appendToStream(stream, events.map(toEventData), {
        expectedRevision: toEsdbExpected(expected),
      });
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError) {
        throw new WrongExpectedVersionError(stream, expected, fromCurrentRevision(error.actualVersion));
      }
      throw error;
    }
    const nextRevision = Number(result.nextExpectedRevision);
    if (events.length === 1) return { nextRevision, position: positionOf(result.position) };
    // The server's reply carries one position for the whole write; read the last event's own
    // position rather than rely on which event that is, since callers wait for the whole append.
    return { nextRevision, position: await this.positionAt(stream, nextRevision) };
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
      maxCount: options.maxCount,
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
    // Client 6 has no server-side filter for reads of $all: filter here, reading on until
    // maxCount events match, then cancel the read.
    const read = this.client.readAll({ direction: backwards ? BACKWARDS : FORWARDS, fromPosition });
    return collect(read, (event) => inRange(event) && matches(options.filter, event), options.maxCount);
  }

  /**
   * A catch-up subscription to $all from `from`: the server sends the stored events, then live
   * ones, without gap or duplicate. If the connection drops, the observable errors; resubscribe
   * from the last position received.
   */
  subscribe(from: Position = 0): Observable<StoredEvent> {
    return new Observable<StoredEvent>((subscriber) => {
      if (this.closed) return subscriber.error(closedError());
      const subscription = this.client.subscribeToAll({
        fromPosition: from > 0 ? toEsdbPosition(from) : START,
        filter: excludeSystemEvents(),
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
      subscription.on('error', (error: Error) => subscriber.error(error));
      subscription.on('end', () => subscriber.complete());
      return () => {
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

/** Reads until `maxCount` events pass `keep` (system events never do), then cancels the read. */
async function collect(
  read: CancellableRead,
  keep: (event: StoredEvent) => boolean,
  maxCount = Number.POSITIVE_INFINITY,
): Promise<StoredEvent[]> {
  const found: StoredEvent[] = [];
  if (maxCount <= 0) {
    await read.cancel();
    return found;
  }
  for await (const resolved of read) {
    const event = resolved.event;
    if (event === undefined || isSystem(event)) continue;
    const recorded = toRecorded(event);
    if (!keep(recorded)) continue;
    found.push(recorded);
    if (found.length >= maxCount) {
      await read.cancel();
      break;
    }
  }
  return found;
}

function closedError(): Error {
  return new Error('EsdbEventStore is closed');
}

function toEventData(event: NewEvent): EventData {
  return jsonEvent({ id: event.id, type: event.type, data: toJsonData(event.data), metadata: event.metadata });
}

/** The client serializes JSON objects, arrays and strings; eschat's events are objects. */
function toJsonData(data: unknown): JSONType {
  if (typeof data === 'string' || (typeof data === 'object' && data !== null)) return data as JSONType;
  throw new TypeError(`EventStoreDB event data must be a JSON object, array or string, not ${String(data)}`);
}

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
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

function fromCurrentRevision(current: CurrentRevision): Revision | 'no_stream' {
  return current === NO_STREAM ? 'no_stream' : Number(current);
}

function toEsdbPosition(position: Position): { commit: bigint; prepare: bigint } {
  const exact = BigInt(position);
  return { commit: exact, prepare: exact };
}

function positionOf(position: { commit: bigint } | undefined): Position {
  if (position === undefined) throw new Error('EventStoreDB did not report a log position (server older than 22.6?)');
  return Number(position.commit);
}

function isSystem(event: EsdbRecordedEvent): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
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
