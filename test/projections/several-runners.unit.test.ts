import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import type { NewEvent, Position } from '../../src/events/recorded-event.js';
import { hashToken } from '../../src/events/token.js';
import { projections } from '../../src/projections/all-projections.js';
import { CHECKPOINTS, ProjectionRunner, type Checkpoint } from '../../src/projections/runner.js';
import { buildFromScratch } from '../../src/projections/scratch-build.js';
import { callerOf } from '../../src/queries/sessions.js';
import { MemoryReadStore } from '../../src/store/memory/memory-read-store.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import type { Collection, Document, FencedBatch, ReadStore } from '../../src/store/ports/read-store.js';
import { SqliteReadStore } from '../../src/store/sqlite/sqlite-read-store.js';
import { readModelSnapshot } from '../support/read-model-snapshot.js';
import { meta, tempEventStore } from '../support/stores.js';

/** What a process's death looks like to the store: every write it tries from then on fails. */
class Died extends Error {}

const WRITES = new Set([
  'insertOne',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'bulkWrite',
  'drop',
  'createIndex',
]);

/**
 * One process's handle on the shared read store, which the test can make die at the moment
 * it writes a checkpoint: after the writes of its batch, before the checkpoint's (or, for a
 * runner that commits both at once, before that commit). Nothing it writes afterwards lands.
 */
class MortalReadStore implements ReadStore {
  #armed = false;
  #dead = false;

  constructor(private readonly inner: ReadStore) {}

  /** Dies at the next checkpoint write. */
  dieAtCheckpoint(): void {
    this.#armed = true;
  }

  get dead(): boolean {
    return this.#dead;
  }

  collection<T extends Document = Document>(name: string): Collection<T> {
    const collection = this.inner.collection<T>(name);
    return new Proxy(collection, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (!WRITES.has(String(property))) return (value as (...parameters: unknown[]) => unknown).bind(target);
        return (...args: unknown[]) => {
          this.#check(name === CHECKPOINTS);
          return (value as (...parameters: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  commitFenced(batch: FencedBatch): Promise<boolean> {
    this.#check(batch.fences === CHECKPOINTS);
    return this.inner.commitFenced(batch);
  }

  listCollections(): Promise<string[]> {
    return this.inner.listCollections();
  }

  async close(): Promise<void> {}

  #check(checkpoint: boolean): void {
    if (checkpoint && this.#armed) this.#dead = true;
    if (this.#dead) throw new Died('the process died');
  }
}

/** A process following the log: its runner, fed by the test through `feed` only. */
interface Follower {
  name: string;
  runner: ProjectionRunner;
  store: MortalReadStore;
  feed: Subject<StoredEvent>;
  fed: Position;
}

const TOKEN_ENDED = 'token-of-a-session-that-ended';
const TOKEN_LIVE = 'token-of-a-live-session';

function session(id: string, token: string, at: number): NewEvent {
  const data = { sessionId: id, userId: 1, tokenHash: hashToken(token), device: `d${at}`, dialect: 'v1', address: null };
  return { type: 'SessionStarted', data, metadata: meta };
}

function message(n: number): NewEvent {
  const data = { roomId: 1, sender: 1, device: 'd', clientId: `m${n}`, kind: 'text', text: `text ${n}`, mediaId: null };
  return { type: 'MessageSent', data, metadata: meta };
}

/** A user signs in twice, writes, signs one session out, writes on. */
async function writeLog(log: EventStore): Promise<{ started: Position; ended: Position }> {
  const user = { userId: 1, name: 'Ann', login: 'ann', phone: null, passwordHash: 'x', avatar: '' };
  await log.append('user-1', [{ type: 'UserRegistered', data: user, metadata: meta }]);
  const started = (await log.append('session-s1', [session('s1', TOKEN_ENDED, 1)])).position;
  for (let n = 1; n <= 4; n++) await log.append('messages-1', [message(n)]);
  await log.append('session-s2', [session('s2', TOKEN_LIVE, 2)]);
  const end = { type: 'SessionEnded', data: { sessionId: 's1', userId: 1, reason: 'logout' }, metadata: meta };
  const ended = (await log.append('session-s1', [end])).position;
  for (let n = 5; n <= 8; n++) await log.append('messages-1', [message(n)]);
  return { started, ended };
}

/**
 * Several processes follow one log into one read store (issue 14's finding 3): one ahead, one
 * lagging that catches up, one that dies mid-batch while re-applying the start of a session
 * that has since ended. Each process's runner is fed by the test, so the interleaving is
 * always the same. Whatever the order, the read models end equal to a single-process build,
 * the checkpoints never move back, and the ended session never authenticates.
 */
function severalRunners(label: string, open: () => { shared: () => ReadStore; done: () => Promise<void> }): void {
  describe(`several runners over one log and one read store (${label})`, function () {
    let log: EventStore;
    let stores: ReturnType<typeof open>;
    const followers: Follower[] = [];

    beforeEach(async function () {
      log = await tempEventStore();
      stores = open();
    });

    afterEach(async function () {
      for (const follower of followers.splice(0)) follower.runner.stop();
      await log.close();
      await stores.done();
    });

    /** A process, started on the empty log: it reads the checkpoints, and waits for what the test feeds it. */
    async function follower(name: string): Promise<Follower> {
      const store = new MortalReadStore(stores.shared());
      const feed = new Subject<StoredEvent>();
      const runner = new ProjectionRunner(log, store, projections, { batchSize: 3, subscribe: () => feed, onError: () => undefined });
      await runner.start();
      const created = { name, runner, store, feed, fed: 0 };
      followers.push(created);
      return created;
    }

    /** Feeds `follower` the log's events up to `upTo`, and waits until it has applied them (or died on them). */
    async function feed(follower: Follower, upTo: Position): Promise<void> {
      const events = (await log.readAll({ from: follower.fed })).filter((event) => event.position <= upTo);
      for (const event of events) follower.feed.next(event);
      follower.fed = upTo;
      expect(await follower.runner.waitFor(upTo, 5000), `${follower.name} applied up to ${upTo}`).to.equal(true);
    }

    async function checkpoints(reader: ReadStore): Promise<Map<string, Position>> {
      const all = await reader.collection<Checkpoint>(CHECKPOINTS).find({});
      return new Map(all.map((checkpoint) => [checkpoint._id, checkpoint.position]));
    }

    it('ends equal to a single-process build, never moves a checkpoint back, and keeps an ended session ended', async function () {
      const ahead = await follower('ahead');
      const lagging = await follower('lagging');
      const dying = await follower('dying');
      const { started, ended } = await writeLog(log);
      const head = await log.headPosition();
      const read = ahead.runner;

      await feed(ahead, head);
      expect(await callerOf(read, TOKEN_ENDED), 'ended once applied').to.equal(null);
      const afterAhead = await checkpoints(ahead.store);
      expect(afterAhead.get('sessions')).to.be.at.least(ended);

      // The lagging process applies the session's start again, long after its end.
      await feed(lagging, started);
      expect(await callerOf(read, TOKEN_ENDED), 'the ended session, after a lagging process re-applied its start').to.equal(null);
      for (const [name, position] of await checkpoints(ahead.store)) {
        expect(position, `checkpoint of ${name}`).to.be.at.least(afterAhead.get(name) ?? 0);
      }
      await feed(lagging, head);

      // Another one dies in the middle of its batch holding the session's start.
      dying.store.dieAtCheckpoint();
      await feed(dying, ended - 1);
      expect(dying.store.dead, 'the dying process reached a checkpoint write').to.equal(true);
      expect(await callerOf(read, TOKEN_ENDED), 'the ended session, after a process died re-applying its start').to.equal(null);
      expect(await callerOf(read, TOKEN_LIVE)).to.include({ userId: 1, sessionId: 's2' });

      await ahead.runner.close();
      await lagging.runner.close();
      const built = await buildFromScratch(log, new MemoryReadStore(), projections);
      const single = await readModelSnapshot(built.runner, projections);
      for (const each of [ahead, lagging]) {
        const snapshot = await readModelSnapshot(each.runner, projections);
        for (const [collection, documents] of Object.entries(single)) {
          expect(snapshot[collection], `${each.name}: ${collection}`).to.deep.equal(documents);
        }
      }
      expect(single['sessions.sessions']).to.have.length(1);
      expect(single['messages.messages']).to.have.length(8);
      const final = await checkpoints(ahead.store);
      for (const projection of projections) expect(final.get(projection.name), `checkpoint of ${projection.name}`).to.equal(head);
    });
  });
}

severalRunners('memory: one store instance', () => {
  const store = new MemoryReadStore();
  return { shared: () => store, done: () => store.close() };
});

severalRunners('sqlite: one file, opened by each process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eschat-runners-'));
  const opened: SqliteReadStore[] = [];
  return {
    shared: () => {
      const store = new SqliteReadStore(join(dir, 'read-models.db'));
      opened.push(store);
      return store;
    },
    done: async () => {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
