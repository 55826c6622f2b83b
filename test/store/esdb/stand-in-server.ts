/**
 * A stand-in for an EventStoreDB / KurrentDB node, for fault injection in tests only: a gRPC
 * server on the client's own generated protocol code (@kurrent/kurrentdb-client/generated),
 * serving reads of streams and of $all, appends, and subscriptions to $all and to a stream from an
 * in-memory log (a catch-up of $all sent within gRPC flow control, as a server does, and counted), and
 * able to drop, end or cancel subscriptions, answer appends late, or lose their replies.
 *
 * It proves how the adapter behaves under those faults, through the real client and its real
 * transport. It is not evidence of the server's semantics: its log, positions, filters and
 * idempotence are this file's model of them (idempotence: a retry at the same expected revision
 * whose event ids are the ones already written there is answered as a success, as EventStoreDB
 * documents). Only a real server (ESCHAT_TEST_EVENTSTORE, the contract suite) shows those.
 */
import * as grpc from '@grpc/grpc-js';
import featuresGrpc from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_grpc_pb.js';
import featuresPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/serverfeatures_pb.js';
import sharedPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import streamsGrpc from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_grpc_pb.js';
import streamsPb from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';

const { ReadReq, ReadResp, AppendResp } = streamsPb;
type ReadReqT = InstanceType<typeof ReadReq>;
type ReadRespT = InstanceType<typeof ReadResp>;
type AppendReqT = InstanceType<typeof streamsPb.AppendReq>;
type AppendRespT = InstanceType<typeof AppendResp>;

export interface StoredRecord {
  id: string;
  stream: string;
  revision: number;
  /** Commit = prepare position: a byte-offset-like number, 100 apart, so `position - 1` is no position. */
  position: number;
  type: string;
  data: Uint8Array;
  metadata: Uint8Array;
  created: number;
}

type Subscription = {
  call: grpc.ServerWritableStream<ReadReqT, ReadRespT>;
  delivered: number;
  structured: boolean;
  /** Still sending the stored events: the catch-up loop sends what lands meanwhile too. */
  catchingUp: boolean;
  /** What the subscription is to: every record of $all its filter keeps, or one stream's records. */
  keep: (record: StoredRecord) => boolean;
};

export class StandInServer {
  readonly log: StoredRecord[] = [];
  private readonly server = new grpc.Server();
  private readonly subscriptions = new Set<Subscription>();
  /** Appends answered after this many ms (the events land at once). */
  appendDelayMs = 0;
  /** The next N appends land, then their replies are lost: the call fails UNAVAILABLE. */
  loseAppendReplies = 0;
  /** Every append attempt, with the ids it carried. */
  readonly appendAttempts: Array<{ stream: string; ids: string[] }> = [];
  /** The server-side filter of each read of $all: a regex or prefixes, on `type` or `stream`. */
  readonly readFilters: string[] = [];
  /** How many $all subscriptions were opened, and from where. */
  readonly subscribedFrom: number[] = [];
  /** Events handed to the transport on $all subscriptions (a catch-up waits whenever gRPC flow control says so). */
  sent = 0;
  private readonly revisions = new Map<string, number>();
  /** Each subscription to a stream: its name and the revision it started after ('end': the stream's end). */
  readonly streamSubscriptions: Array<{ stream: string; from: number | 'end' }> = [];
  port = 0;

  /** On a free port, or on `port` (a server coming back where it was). */
  static async start(port = 0): Promise<StandInServer> {
    const stand = new StandInServer();
    stand.server.addService(featuresGrpc.ServerFeaturesService, {
      getSupportedMethods: (_call: unknown, callback: grpc.sendUnaryData<InstanceType<typeof featuresPb.SupportedMethods>>) => {
        const methods = new featuresPb.SupportedMethods();
        methods.setEventStoreServerVersion('24.10.0');
        methods.setMethodsList(
          ['read', 'append'].map((name) => {
            const method = new featuresPb.SupportedMethod();
            method.setServiceName('event_store.client.streams.streams');
            method.setMethodName(name);
            return method;
          }),
        );
        callback(null, methods);
      },
    });
    stand.server.addService(streamsGrpc.StreamsService, {
      read: (call: grpc.ServerWritableStream<ReadReqT, ReadRespT>) => stand.read(call),
      append: (call: grpc.ServerReadableStream<AppendReqT, AppendRespT>, callback: grpc.sendUnaryData<AppendRespT>) =>
        stand.append(call, callback),
    });
    stand.port = await new Promise<number>((resolve, reject) =>
      stand.server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    return stand;
  }

  get connectionString(): string {
    return `esdb://127.0.0.1:${this.port}?tls=false`;
  }

  get openSubscriptions(): number {
    return this.subscriptions.size;
  }

  /** Fails every subscription with a transport error, as a lost connection does. */
  dropSubscriptions(): void {
    this.endEach((call) => call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'connection reset (stand-in)' }));
  }

  /** Ends every subscription with OK: a stream that simply stops. */
  endSubscriptions(): void {
    this.endEach((call) => call.end());
  }

  /** Cancels every subscription, as a server shutting down gracefully does with its streaming calls. */
  cancelSubscriptions(): void {
    this.endEach((call) => call.emit('error', { code: grpc.status.CANCELLED, details: 'server shutting down (stand-in)' }));
  }

  /** Appends directly to the log (another process's write), delivered to live subscriptions. */
  write(stream: string, type: string, data: unknown): StoredRecord {
    const revision = this.revisions.get(stream) ?? 0;
    return this.land(stream, revision, [
      {
        id: crypto.randomUUID(),
        type,
        data: Buffer.from(JSON.stringify(data)),
        metadata: Buffer.from('{"correlationId":"x","at":"2024-01-01T00:00:00.000Z"}'),
      },
    ]).at(-1) as StoredRecord;
  }

  async stop(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.call.end();
    this.subscriptions.clear();
    this.server.forceShutdown();
  }

  private endEach(end: (call: grpc.ServerWritableStream<ReadReqT, ReadRespT>) => void): void {
    const open = [...this.subscriptions];
    this.subscriptions.clear();
    for (const subscription of open) end(subscription.call);
  }

  private read(call: grpc.ServerWritableStream<ReadReqT, ReadRespT>): void {
    const options = call.request.getOptions();
    if (!options) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'no options' });
      return;
    }
    const structured = options.getUuidOption()?.hasStructured() ?? false;
    const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
    const count = options.hasCount() ? Number(options.getCount()) : Number.POSITIVE_INFINITY;
    const keep = filterOf(options);
    const filter = options.getFilter();
    if (options.hasAll() && !options.hasSubscription() && filter) {
      const expression = filter.hasEventType() ? filter.getEventType() : filter.getStreamIdentifier();
      this.readFilters.push(
        `${filter.hasEventType() ? 'type' : 'stream'} ${expression?.getRegex() || expression?.getPrefixList().join(',')}`,
      );
    }
    let records: StoredRecord[];
    if (options.hasStream()) {
      const streamOptions = options.getStream() as InstanceType<typeof ReadReq.Options.StreamOptions>;
      const name = Buffer.from(streamOptions.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString('utf8');
      const ofStream = this.log.filter((record) => record.stream === name);
      if (options.hasSubscription()) return this.subscribeToStream(call, name, streamOptions, structured);
      if (ofStream.length === 0) {
        const notFound = new ReadResp.StreamNotFound();
        notFound.setStreamIdentifier(streamOptions.getStreamIdentifier());
        const resp = new ReadResp();
        resp.setStreamNotFound(notFound);
        call.write(resp);
        call.end();
        return;
      }
      const from = streamOptions.hasRevision() ? Number(streamOptions.getRevision()) : undefined;
      records = backwards
        ? ofStream.filter((record) => from === undefined || record.revision <= from).reverse()
        : ofStream.filter((record) => from === undefined || record.revision >= from);
    } else {
      const all = options.getAll() as InstanceType<typeof ReadReq.Options.AllOptions>;
      const position = all.hasPosition() ? Number(all.getPosition()?.getCommitPosition()) : undefined;
      const start = all.hasEnd() ? Number.POSITIVE_INFINITY : (position ?? 0);
      if (options.hasSubscription()) return this.subscribe(call, start, keep, structured);
      // Reading $all from a position includes the event at it, forwards; backwards, the ones before it.
      records = backwards
        ? this.log.filter((record) => record.position < start).reverse()
        : this.log.filter((record) => record.position >= start);
    }
    for (const record of records.filter(keep).slice(0, count)) call.write(eventResp(record, structured));
    call.end();
  }

  private subscribe(
    call: grpc.ServerWritableStream<ReadReqT, ReadRespT>,
    from: number,
    keep: (record: StoredRecord) => boolean,
    structured: boolean,
  ): void {
    this.subscribedFrom.push(from);
    const confirmation = new ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId(crypto.randomUUID());
    const confirm = new ReadResp();
    confirm.setConfirmation(confirmation);
    call.write(confirm);
    // A subscription to $all from a position starts after it.
    const subscription: Subscription = { call, delivered: from, structured, catchingUp: true, keep };
    this.subscriptions.add(subscription);
    call.on('cancelled', () => this.subscriptions.delete(subscription));
    void this.catchUp(subscription);
  }

  /**
   * Sends the stored events as a server does, within gRPC flow control: when the transport's
   * buffer is full (`write` says false), it waits for the client to read before sending more.
   * What lands meanwhile is sent by this loop too, in order; then the subscription is live.
   */
  private async catchUp(subscription: Subscription): Promise<void> {
    const { call, keep } = subscription;
    let next = this.log.findIndex((record) => record.position > subscription.delivered);
    if (next < 0) next = this.log.length;
    for (; next < this.log.length; next++) {
      if (!this.subscriptions.has(subscription)) return;
      const record = this.log[next] as StoredRecord;
      subscription.delivered = record.position;
      if (!keep(record)) continue;
      this.sent += 1;
      if (!call.write(eventResp(record, subscription.structured))) await writable(call);
    }
    subscription.catchingUp = false;
  }

  /** From its end, or after a revision (a subscription to a missing stream waits for it, as the server does). */
  private subscribeToStream(
    call: grpc.ServerWritableStream<ReadReqT, ReadRespT>,
    stream: string,
    options: InstanceType<typeof ReadReq.Options.StreamOptions>,
    structured: boolean,
  ): void {
    const after = options.hasEnd() ? 'end' : options.hasRevision() ? Number(options.getRevision()) : -1;
    this.streamSubscriptions.push({ stream, from: after });
    const confirmation = new ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId(crypto.randomUUID());
    const confirm = new ReadResp();
    confirm.setConfirmation(confirmation);
    call.write(confirm);
    const keep = (record: StoredRecord) => record.stream === stream;
    if (after !== 'end') {
      for (const record of this.log) if (keep(record) && record.revision > after) call.write(eventResp(record, structured));
    }
    const subscription: Subscription = { call, delivered: this.log.at(-1)?.position ?? 0, structured, catchingUp: false, keep };
    this.subscriptions.add(subscription);
    call.on('cancelled', () => this.subscriptions.delete(subscription));
  }

  private append(call: grpc.ServerReadableStream<AppendReqT, AppendRespT>, callback: grpc.sendUnaryData<AppendRespT>): void {
    let options: InstanceType<typeof streamsPb.AppendReq.Options> | undefined;
    const proposed: Array<{ id: string; type: string; data: Uint8Array; metadata: Uint8Array }> = [];
    call.on('data', (request: AppendReqT) => {
      if (request.hasOptions()) options = request.getOptions();
      const message = request.getProposedMessage();
      if (message) {
        proposed.push({
          id: message.getId()?.getString() ?? '',
          type: message.getMetadataMap().get('type') ?? '',
          data: message.getData_asU8(),
          metadata: message.getCustomMetadata_asU8(),
        });
      }
    });
    call.on('end', () => {
      if (!options) return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'no options' });
      const stream = Buffer.from(options.getStreamIdentifier()?.getStreamName_asU8() ?? []).toString('utf8');
      this.appendAttempts.push({ stream, ids: proposed.map((event) => event.id) });
      const ofStream = this.log.filter((record) => record.stream === stream);
      const current = ofStream.length - 1;
      const Case = streamsPb.AppendReq.Options.ExpectedStreamRevisionCase;
      const expected =
        options.getExpectedStreamRevisionCase() === Case.REVISION
          ? Number(options.getRevision())
          : options.getExpectedStreamRevisionCase() === Case.NO_STREAM
            ? -1
            : undefined;
      const response = new AppendResp();
      const written = expected === undefined ? [] : ofStream.slice(expected + 1, expected + 1 + proposed.length);
      if (written.length === proposed.length && written.length > 0 && written.every((record, i) => record.id === proposed[i]?.id)) {
        // The same events at the same expected revision: a retry of an append that landed.
        response.setSuccess(success(written.at(-1) as StoredRecord));
      } else if (expected !== undefined && expected !== current) {
        const wrong = new AppendResp.WrongExpectedVersion();
        if (current < 0) wrong.setCurrentNoStream(new sharedPb.Empty());
        else wrong.setCurrentRevision(String(current));
        if (expected < 0) wrong.setExpectedNoStream(new sharedPb.Empty());
        else wrong.setExpectedRevision(String(expected));
        response.setWrongExpectedVersion(wrong);
      } else {
        const landed = this.land(stream, current + 1, proposed);
        response.setSuccess(success(landed.at(-1) as StoredRecord));
      }
      if (this.loseAppendReplies > 0) {
        this.loseAppendReplies -= 1;
        return callback({ code: grpc.status.UNAVAILABLE, details: 'connection reset before the reply (stand-in)' });
      }
      setTimeout(() => callback(null, response), this.appendDelayMs);
    });
  }

  private land(
    stream: string,
    firstRevision: number,
    events: Array<{ id: string; type: string; data: Uint8Array; metadata: Uint8Array }>,
  ): StoredRecord[] {
    const landed = events.map((event, i) => {
      const record: StoredRecord = {
        ...event,
        stream,
        revision: firstRevision + i,
        position: ((this.log.at(-1)?.position ?? 0) + 100) as number,
        created: Date.now(),
      };
      this.log.push(record);
      return record;
    });
    this.revisions.set(stream, firstRevision + landed.length);
    for (const subscription of this.subscriptions) {
      if (subscription.catchingUp) continue;
      for (const record of landed) {
        if (record.position <= subscription.delivered || !subscription.keep(record)) continue;
        this.sent += 1;
        subscription.call.write(eventResp(record, subscription.structured));
        subscription.delivered = record.position;
      }
    }
    return landed;
  }
}

/** Resolves when the call can take more (or is over). */
function writable(call: grpc.ServerWritableStream<ReadReqT, ReadRespT>): Promise<void> {
  const events = ['drain', 'cancelled', 'close'];
  return new Promise((resolve) => {
    const done = (): void => {
      for (const event of events) call.off(event, done);
      resolve();
    };
    for (const event of events) call.on(event, done);
  });
}

function success(last: StoredRecord): InstanceType<typeof AppendResp.Success> {
  const position = new AppendResp.Position();
  position.setCommitPosition(String(last.position));
  position.setPreparePosition(String(last.position));
  const done = new AppendResp.Success();
  done.setCurrentRevision(String(last.revision));
  done.setPosition(position);
  return done;
}

/** The server filters on event type or stream name, by regex or prefixes; system events are `$`-typed. */
function filterOf(options: InstanceType<typeof ReadReq.Options>): (record: StoredRecord) => boolean {
  const filter = options.getFilter();
  if (!filter) return () => true;
  const field = filter.hasEventType() ? 'type' : 'stream';
  const expression = field === 'type' ? filter.getEventType() : filter.getStreamIdentifier();
  const regex = expression?.getRegex() ? new RegExp(expression.getRegex()) : null;
  const prefixes = expression?.getPrefixList() ?? [];
  return (record) => (regex ? regex.test(record[field]) : prefixes.some((prefix) => record[field].startsWith(prefix)));
}

function eventResp(record: StoredRecord, structured: boolean): ReadRespT {
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(uuid(record.id, structured));
  const identifier = new sharedPb.StreamIdentifier();
  identifier.setStreamName(Buffer.from(record.stream, 'utf8'));
  recorded.setStreamIdentifier(identifier);
  recorded.setStreamRevision(String(record.revision));
  recorded.setCommitPosition(String(record.position));
  recorded.setPreparePosition(String(record.position));
  recorded.getMetadataMap().set('type', record.type);
  recorded.getMetadataMap().set('content-type', 'application/json');
  // .NET ticks (100 ns) since the Unix epoch, as the client reads them.
  recorded.getMetadataMap().set('created', String(BigInt(record.created) * 10_000n));
  recorded.setData(record.data);
  recorded.setCustomMetadata(record.metadata);
  const read = new ReadResp.ReadEvent();
  read.setEvent(recorded);
  read.setCommitPosition(String(record.position));
  const resp = new ReadResp();
  resp.setEvent(read);
  return resp;
}

function uuid(id: string, structured: boolean): InstanceType<typeof sharedPb.UUID> {
  const value = new sharedPb.UUID();
  if (!structured) {
    value.setString(id);
    return value;
  }
  const hex = id.replaceAll('-', '');
  const bits = new sharedPb.UUID.Structured();
  bits.setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString());
  bits.setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString());
  value.setStructured(bits);
  return value;
}
