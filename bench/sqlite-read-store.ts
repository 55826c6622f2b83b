/**
 * A measurement of the SQLite read store (not part of `npm run bench`):
 *
 * - replay: every projection (src/projections/all-projections.ts) built from scratch into the
 *   store from a generated log (bench/log, cached in bench/.cache/), in batches of the runner's
 *   size, each batch and the checkpoints one transaction, beside reading the same events alone;
 *   then the history page and contact sync queries on what it built.
 * - upserts: 100,000 projection-like upserts in batches of 500, then the history page query.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/sqlite-read-store.js [replay|upserts] [--events N]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredEvent } from '../src/events/eschat-event.js';
import { EventTypes } from '../src/events/event-types.js';
import { projections } from '../src/projections/all-projections.js';
import type { WriteOperation } from '../src/store/ports/read-store.js';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.js';
import { SqliteReadStore } from '../src/store/sqlite/sqlite-read-store.js';
import { cachedLog } from './log/cached-log.js';

const args = process.argv.slice(2);
const only = args.find((arg) => !arg.startsWith('--') && !/^\d+$/.test(arg));
const eventsArg = args.indexOf('--events');
const REPLAY_EVENTS = eventsArg >= 0 ? Number(args[eventsArg + 1]) : 200_000;
/** As the runner reads the log (REBUILD_PAGE) and applies it (its default batchSize). */
const READ_PAGE = 5_000;
const BATCH = 2_000;
const QUERIES = 2_000;

const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9;
/** CPU seconds of this process since `since`: steadier than wall time on a shared machine. */
const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
};

function percentiles(timings: number[]): string {
  timings.sort((a, b) => a - b);
  const at = (q: number) => (timings[Math.floor(q * (timings.length - 1))] as number).toFixed(3);
  return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`;
}

async function* pages(log: SqliteEventStore): AsyncGenerator<StoredEvent[]> {
  let from = 0;
  for (;;) {
    const page = await log.readAll({ from, maxCount: READ_PAGE });
    if (page.length > 0) yield page;
    if (page.length < READ_PAGE) return;
    from = (page[page.length - 1] as StoredEvent).position;
  }
}

async function replay(): Promise<void> {
  const { file: logFile, manifest } = await cachedLog(REPLAY_EVENTS);
  const log = SqliteEventStore.open({ file: logFile, durability: 'normal' });
  const dir = mkdtempSync(join(tmpdir(), 'eschat-replay-bench-'));
  const file = join(dir, 'read-models.db');
  try {
    // Reading alone, twice: the first warms the page cache for both.
    let readEvents = 0;
    let readSeconds = 0;
    let readCpu = 0;
    for (let round = 0; round < 2; round++) {
      const started = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      readEvents = 0;
      for await (const page of pages(log)) readEvents += page.length;
      readSeconds = seconds(started);
      readCpu = cpuSeconds(cpu);
    }
    console.log(
      `read alone: ${readEvents} events in ${readSeconds.toFixed(2)} s = ${Math.round(readEvents / readSeconds)} events/s ` +
        `(CPU ${readCpu.toFixed(2)} s = ${Math.round(readEvents / readCpu)} events/CPU-s)`,
    );

    const store = new SqliteReadStore(file);
    const running = projections.map((projection) => ({ projection, types: new EventTypes(projection.eventTypes) }));
    const physical = (projection: string, name: string) => store.collection(`${projection}.${name}.g1`);
    const checkpoints = store.collection('projection_checkpoints');
    for (const { projection } of running) {
      for (const spec of projection.collections) {
        for (const index of spec.indexes ?? [])
          await physical(projection.name, spec.name).createIndex(index.keys, { unique: index.unique ?? false });
      }
    }
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    let projectSeconds = 0;
    let applied = 0;
    for await (const page of pages(log)) {
      for (let at = 0; at < page.length; at += BATCH) {
        const batch = page.slice(at, at + BATCH);
        const last = (batch[batch.length - 1] as StoredEvent).position;
        const projecting = process.hrtime.bigint();
        const writes = running.map(({ projection, types }) => {
          const byCollection = new Map<string, WriteOperation[]>();
          for (const event of batch) {
            if (!types.has(event)) continue;
            for (const { collection, operation } of projection.project(event)) {
              let operations = byCollection.get(collection);
              if (!operations) byCollection.set(collection, (operations = []));
              operations.push(operation);
            }
          }
          return { projection, byCollection };
        });
        projectSeconds += seconds(projecting);
        store.transaction(() => {
          for (const { projection, byCollection } of writes) {
            for (const [collection, operations] of byCollection) physical(projection.name, collection).sync.bulkWrite(operations);
            checkpoints.sync.replaceOne(
              { _id: projection.name },
              { _id: projection.name, version: projection.version, generation: 1, position: last },
              { upsert: true },
            );
          }
        });
        applied += batch.length;
      }
    }
    const writeSeconds = seconds(started);
    // The first query of each index: where a store defers building its indexes, this is where it pays.
    const finishing = process.hrtime.bigint();
    for (const { projection } of running) {
      for (const spec of projection.collections) {
        for (const index of spec.indexes ?? []) {
          const [field] = Object.keys(index.keys) as [string];
          await physical(projection.name, spec.name).findOne({ [field]: 1 });
        }
      }
    }
    const finishSeconds = seconds(finishing);
    const total = writeSeconds + finishSeconds;
    const replayCpu = cpuSeconds(cpu);
    console.log(
      `replay: ${applied} events in ${total.toFixed(2)} s = ${Math.round(applied / total)} events/s ` +
        `(CPU ${replayCpu.toFixed(2)} s = ${Math.round(applied / replayCpu)} events/CPU-s) ` +
        `(${(readEvents / readSeconds / (applied / total)).toFixed(2)}x reading alone; project() ${projectSeconds.toFixed(2)} s, ` +
        `first queries ${finishSeconds.toFixed(2)} s; batches of ${BATCH}, one transaction each)`,
    );

    const counts = {
      users: await physical('users', 'users').countDocuments(),
      sessions: await physical('sessions', 'sessions').countDocuments(),
      rooms: await physical('rooms', 'rooms').countDocuments(),
      messages: await physical('messages', 'messages').countDocuments(),
      contacts: await physical('contacts', 'contacts').countDocuments(),
      requests: await physical('contacts', 'requests').countDocuments(),
    };
    if (JSON.stringify(counts) !== JSON.stringify(manifest.documents)) {
      throw new Error(`replay built ${JSON.stringify(counts)}, the log's manifest says ${JSON.stringify(manifest.documents)}`);
    }

    const { probe } = manifest;
    const messages = physical('messages', 'messages');
    const contacts = physical('contacts', 'contacts');
    const history: number[] = [];
    const sync: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      let t0 = process.hrtime.bigint();
      const page = await messages.find({ room: probe.roomId }, { sort: { _id: -1 }, limit: 50 });
      history.push(seconds(t0) * 1e3);
      if (page.length !== Math.min(50, probe.roomMessages)) throw new Error(`history page of ${page.length}`);
      t0 = process.hrtime.bigint();
      const entries = await contacts.find(
        { owner: probe.userId, version: { $gt: 0 } },
        { sort: { version: 1 }, projection: { contact: 1, state: 1, version: 1 } },
      );
      sync.push(seconds(t0) * 1e3);
      if (entries.length !== probe.contacts + probe.removedContacts) throw new Error(`contact sync of ${entries.length}`);
    }
    console.log(`history (50 of ${probe.roomMessages}): ${percentiles(history)}`);
    console.log(`contact sync (${probe.contacts + probe.removedContacts} entries): ${percentiles(sync)}`);
    console.log(
      `contact sync plan: ${contacts.sync.explain({ owner: probe.userId, version: { $gt: 0 } }, { version: 1 }).steps.join('; ')}`,
    );
    await store.close();
    console.log(`file: ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`);
  } finally {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function upserts(): Promise<void> {
  const EVENTS = 100_000;
  const BATCH = 500;
  const ROOMS = 200;
  const dir = mkdtempSync(join(tmpdir(), 'eschat-read-bench-'));
  const file = join(dir, 'read-models.db');
  const store = new SqliteReadStore(file);
  try {
    const messages = store.collection('messages');
    const rooms = store.collection('rooms');
    const contacts = store.collection('contacts');
    await messages.createIndex({ room: 1, _id: 1 });
    await rooms.createIndex({ members: 1 });
    await rooms.createIndex({ membersKey: 1 });
    await contacts.createIndex({ owner: 1, version: 1 });

    // As the projections write: 90% messages (replace by _id, upsert), 5% room changes ($set, upsert), 5% contacts.
    const started = process.hrtime.bigint();
    for (let first = 1; first <= EVENTS; first += BATCH) {
      const byCollection = { messages: [] as WriteOperation[], rooms: [] as WriteOperation[], contacts: [] as WriteOperation[] };
      for (let position = first; position < first + BATCH; position++) {
        const room = position % ROOMS;
        if (position % 20 === 0) {
          const members = [room % 50, (room + 1) % 50, (room + 7) % 50].sort((a, b) => a - b);
          byCollection.rooms.push({
            updateOne: {
              filter: { _id: room },
              update: { $set: { kind: 'group', members, membersKey: members.join(','), deleted: false } },
              upsert: true,
            },
          });
        } else if (position % 20 === 1) {
          const _id = `${room % 50}:${position % 97}`;
          byCollection.contacts.push(
            {
              updateOne: {
                filter: { _id },
                update: { $setOnInsert: { owner: room % 50, contact: position % 97, state: 'removed', version: 0 } },
                upsert: true,
              },
            },
            { updateOne: { filter: { _id, version: { $lt: position } }, update: { $set: { state: 'contact', version: position } } } },
          );
        } else {
          const document = {
            _id: position,
            room,
            author: position % 50,
            text: `message ${position} with some text in it`,
            at: new Date(position * 1000).toISOString(),
          };
          byCollection.messages.push({ replaceOne: { filter: { _id: position }, replacement: document, upsert: true } });
        }
      }
      store.transaction(() => {
        messages.sync.bulkWrite(byCollection.messages);
        rooms.sync.bulkWrite(byCollection.rooms);
        contacts.sync.bulkWrite(byCollection.contacts);
      });
    }
    const writeSeconds = seconds(started);
    console.log(
      `upserts: ${EVENTS} in ${writeSeconds.toFixed(2)} s = ${Math.round(EVENTS / writeSeconds)} /s (batches of ${BATCH}, one transaction each)`,
    );

    const timings: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const room = (i % 10) * 20 + 5; // rooms whose positions are messages (see the mix above)
      const before = EVENTS - (i % 100) * 500;
      const t0 = process.hrtime.bigint();
      const page = await messages.find({ room, _id: { $lt: before } }, { sort: { _id: -1 }, limit: 50 });
      timings.push(seconds(t0) * 1e3);
      if (page.length !== 50) throw new Error(`expected a full page, got ${page.length}`);
    }
    console.log(`50-row history page: ${percentiles(timings)} (${QUERIES} queries over ${await messages.countDocuments()} messages)`);
    console.log(`plan: ${messages.sync.explain({ room: 1, _id: { $lt: 5000 } }, { _id: -1 }).steps.join('; ')}`);
    await store.close();
    console.log(`file: ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (only === undefined || only === 'replay') await replay();
if (only === undefined || only === 'upserts') await upserts();
