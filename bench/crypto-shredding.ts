/**
 * `node dist/bench/crypto-shredding.js [events]`: the cost of crypto-shredding on the send path
 * (one MessageSent per append, as a send does) and on replay (the whole log read in pages, as a
 * rebuild does, with a cold key cache), beside the same run on the bare SQLite adapter. The
 * issue's target: within 15% of the unencrypted figures. Runs each side twice, interleaved, and
 * keeps the better of each, so a noisy neighbour on a shared machine does not decide. People's keys
 * are made before the sends are timed, as registration makes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewEvent } from '../src/events/recorded-event.js';
import { EncryptingEventStore } from '../src/store/crypto/encrypting-event-store.js';
import { newDataKey } from '../src/store/crypto/personal-data-cipher.js';
import { PersonKeys } from '../src/store/crypto/person-keys.js';
import type { EventStore } from '../src/store/ports/event-store.js';
import { SqliteEventStore } from '../src/store/sqlite/sqlite-event-store.js';
import { SqliteKeyStore } from '../src/store/sqlite/sqlite-key-store.js';

const EVENTS = Number(process.argv[2] ?? 20_000);
const PEOPLE = 500;
const PAGE = 1000;

function message(i: number): NewEvent {
  const sender = (i % PEOPLE) + 1;
  return {
    type: 'MessageSent',
    data: {
      roomId: i % 50,
      sender,
      device: 'phone',
      clientId: `c${i}`,
      kind: 'text',
      text: `message number ${i} from ${sender}`,
      mediaId: null,
    },
    metadata: { actor: sender, correlationId: `bench-${i}`, at: new Date().toISOString() },
  };
}

interface Figures {
  appendsPerSecond: number;
  replayEventsPerSecond: number;
}

async function run(encrypted: boolean): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'eschat-bench-crypto-'));
  const master = newDataKey();
  const open = (): { store: EventStore; keys: PersonKeys | null } => {
    const raw = SqliteEventStore.open({ file: join(dir, 'events.db'), durability: 'normal' });
    if (!encrypted) return { store: raw, keys: null };
    const keys = new PersonKeys(new SqliteKeyStore(join(dir, 'keys.db')), master);
    return { store: new EncryptingEventStore(raw, keys), keys };
  };
  try {
    let { store, keys } = open();
    // People send after registering, which made their keys (a synced write each, once per person).
    for (let person = 1; person <= PEOPLE; person++) await keys?.keyFor(person);
    let started = performance.now();
    for (let i = 0; i < EVENTS; i++) await store.append(`messages-${i % 50}-20260101`, [message(i)]);
    const appendsPerSecond = EVENTS / ((performance.now() - started) / 1000);
    await store.close();
    // Reopened: the replay starts with no key in memory, as a rebuild in a new process does.
    ({ store, keys } = open());
    started = performance.now();
    let from = 0;
    let read = 0;
    for (;;) {
      const page = await store.readAll({ from, maxCount: PAGE });
      read += page.length;
      if (page.length < PAGE) break;
      from = page[page.length - 1]!.position;
    }
    const replayEventsPerSecond = read / ((performance.now() - started) / 1000);
    await store.close();
    return { appendsPerSecond, replayEventsPerSecond };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const best = (a: Figures, b: Figures): Figures => ({
  appendsPerSecond: Math.max(a.appendsPerSecond, b.appendsPerSecond),
  replayEventsPerSecond: Math.max(a.replayEventsPerSecond, b.replayEventsPerSecond),
});

const plain = best(await run(false), await run(false));
const sealed = best(await run(true), await run(true));
const ratio = (x: number, y: number) => `${((x / y) * 100).toFixed(1)}%`;
console.log(
  JSON.stringify(
    {
      events: EVENTS,
      people: PEOPLE,
      plain: { appendsPerSecond: Math.round(plain.appendsPerSecond), replayEventsPerSecond: Math.round(plain.replayEventsPerSecond) },
      encrypted: { appendsPerSecond: Math.round(sealed.appendsPerSecond), replayEventsPerSecond: Math.round(sealed.replayEventsPerSecond) },
      encryptedOfPlain: {
        appends: ratio(sealed.appendsPerSecond, plain.appendsPerSecond),
        replay: ratio(sealed.replayEventsPerSecond, plain.replayEventsPerSecond),
      },
    },
    null,
    2,
  ),
);
