/**
 * A measurement of the SQLite read store (not part of `npm run bench`): 100,000
 * projection-like upserts written in batches of 500, each batch one transaction as the runner
 * will commit them, then the history page query (50 messages of a room before a position).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/sqlite-read-store.js
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WriteOperation } from '../src/store/ports/read-store.js';
import { SqliteReadStore } from '../src/store/sqlite/sqlite-read-store.js';

const EVENTS = 100_000;
const BATCH = 500;
const ROOMS = 200;
const PAGES = 2_000;

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
  const writeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `upserts: ${EVENTS} in ${writeSeconds.toFixed(2)} s = ${Math.round(EVENTS / writeSeconds)} /s (batches of ${BATCH}, one transaction each)`,
  );

  const timings: number[] = [];
  for (let i = 0; i < PAGES; i++) {
    const room = (i % 10) * 20 + 5; // rooms whose positions are messages (see the mix above)
    const before = EVENTS - (i % 100) * 500;
    const t0 = process.hrtime.bigint();
    const page = await messages.find({ room, _id: { $lt: before } }, { sort: { _id: -1 }, limit: 50 });
    timings.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (page.length !== 50) throw new Error(`expected a full page, got ${page.length}`);
  }
  timings.sort((a, b) => a - b);
  const at = (q: number) => (timings[Math.floor(q * (timings.length - 1))] as number).toFixed(3);
  console.log(
    `50-row history page: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms (${PAGES} queries over ${await messages.countDocuments()} messages)`,
  );
  console.log(`plan: ${messages.sync.explain({ room: 1, _id: { $lt: 5000 } }, { _id: -1 }).steps.join('; ')}`);
  await store.close();
  console.log(`file: ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
