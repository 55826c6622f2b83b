import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, map, take, toArray } from 'rxjs';
import type { StoredEvent } from '../../../src/events/eschat-event.js';
import type { NewEvent } from '../../../src/events/recorded-event.js';
import { EncryptingEventStore, TamperedValueError } from '../../../src/store/crypto/encrypting-event-store.js';
import { PageOpening } from '../../../src/store/crypto/page-opening.js';
import { newDataKey } from '../../../src/store/crypto/personal-data-cipher.js';
import { PersonKeys } from '../../../src/store/crypto/person-keys.js';
import makeOpener from '../../../src/store/crypto/page-opening-thread.js';
import { isSealed, sealValue } from '../../../src/store/crypto/sealed-value.js';
import { SqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { SqliteKeyStore } from '../../../src/store/sqlite/sqlite-key-store.js';
import { eventStoreContract } from '../ports/event-store.contract.js';
import { meta } from '../../support/stores.js';

/** Pages of 10: a catch-up more than 40 events behind reads on the page thread. */
const PAGE = 10;

function open(dir = mkdtempSync(join(tmpdir(), 'eschat-opening-')), master = newDataKey()) {
  const raw = SqliteEventStore.open({ file: join(dir, 'events.db'), durability: 'normal', catchUpPageSize: PAGE });
  const keys = new PersonKeys(new SqliteKeyStore(join(dir, 'keys.db')), master);
  return { dir, master, raw, keys, store: new EncryptingEventStore(raw, keys) };
}

const sent = (sender: number, text: string): NewEvent => ({
  type: 'MessageSent',
  data: { roomId: 1, sender, device: 'd', clientId: null, kind: 'text', text, mediaId: null },
  metadata: { ...meta, actor: sender },
});

/** `count` messages, alternately from people 1 and 2, each saying who sent it and its number. */
async function conversation(store: EncryptingEventStore, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await store.append('messages-1-20260101', [sent((i % 2) + 1, `text ${i} of ${(i % 2) + 1}`)]);
}

const textOf = (event: StoredEvent) => (event.data as { text: unknown }).text;

describe('PageOpening', () => {
  // The contract with catch-ups crossing many page boundaries, some of them read (and opened) on the page thread.
  eventStoreContract('encrypting over sqlite, 10-event catch-up pages', async () => open().store);

  it("opens a catch-up's sealed values on the page thread, an erased person's as placeholders; a page read on the loop stays as stored", async function () {
    this.timeout(20_000);
    const { dir, master, store, keys } = open();
    await conversation(store, 100);
    await keys.erase(2);
    await store.close();
    // The adapter alone, given the work: only the thread can have opened anything.
    const again = open(dir, master);
    const opening = new PageOpening(again.keys);
    try {
      // A subscriber slower than the thread: it leaves the thread the whole of every page (a quicker one takes part of the work back).
      const slow = map((event: StoredEvent) => {
        const until = performance.now() + 2;
        while (performance.now() < until);
        return event;
      });
      const events = await firstValueFrom(again.raw.subscribe(0, { pageWork: opening }).pipe(slow, take(100), toArray()));
      expect(events.map(textOf)).to.deep.equal(events.map((_, i) => (i % 2 === 0 ? `text ${i} of 1` : '[erased]')));
      // A catch-up of four pages or fewer is read on the loop, and left as stored.
      const near = await firstValueFrom(again.raw.subscribe(100 - 4 * PAGE, { pageWork: opening }).pipe(take(4 * PAGE), toArray()));
      expect(near.every((event) => isSealed(textOf(event)))).to.equal(true);
    } finally {
      opening.close();
      await again.store.close();
    }
  });

  it('leaves a value that does not authenticate sealed: the encrypting store refuses it as on the loop', async function () {
    this.timeout(20_000);
    const { raw, store } = open();
    await conversation(store, 60);
    const [mine] = await raw.readAll();
    // Person 1's first text, moved into an event of person 2's.
    await raw.append('messages-1-20260101', [{ ...sent(2, 'x'), data: { ...(sent(2, 'x').data as object), text: textOf(mine!) } }]);
    await conversation(store, 60);
    const failed = await new Promise<unknown>((resolve) => store.subscribe(0).subscribe({ error: resolve, complete: () => resolve(null) }));
    expect(failed).to.be.instanceOf(TamperedValueError);
    await store.close();
  });

  it('hands over nothing of a person this process erased while a page opened with their key was on its way', async function () {
    this.timeout(20_000);
    const { dir, master, store } = open();
    await conversation(store, 200);
    await store.close();
    const again = open(dir, master);
    const seen: StoredEvent[] = [];
    let erasedAt: number | null = null;
    await new Promise<void>((resolve, reject) => {
      const subscription = again.store.subscribe(0).subscribe({
        next: (event) => {
          seen.push(event);
          if (event.position === 3 * PAGE + 1) {
            // A slow subscriber: meanwhile the thread has read ahead, and opened, the next page with the key it holds.
            const until = Date.now() + 300;
            while (Date.now() < until);
            again.keys.erase(1).then(() => (erasedAt = seen.length), reject);
          }
          if (seen.length === 200) {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    expect(erasedAt).to.be.a('number');
    const after = seen.slice(erasedAt!);
    expect(after.filter((event) => (event.data as { sender: number }).sender === 1).map(textOf)).to.satisfy((texts: unknown[]) =>
      texts.every((text) => text === '[erased]'),
    );
    expect(after.filter((event) => (event.data as { sender: number }).sender === 2).map(textOf)).to.deep.equal(
      after.filter((event) => (event.data as { sender: number }).sender === 2).map((event) => `text ${event.position - 1} of 2`),
    );
    // Before the erasure, person 1 read in clear.
    expect(textOf(seen[0]!)).to.equal('text 0 of 1');
    await again.store.close();
  });

  it("finds a row's person and sealed values by searching its text, parses it where a key is met twice, and leaves a value met twice sealed", async function () {
    const { keys, store } = open();
    const opening = new PageOpening(keys);
    try {
      const key = await keys.keyFor(1);
      if (key === 'erased') throw new Error('a new person has a key');
      const sealed = (text: string) => JSON.stringify(sealValue(key, 1, 'text', text));
      const rows = [
        // The subject key last, before the closing brace.
        `{"roomId":1,"text":${sealed('last')},"sender":1}`,
        // Met first inside another object: searched, the subject would be 2 and the value would not open; parsed, it opens.
        `{"quoted":{"sender":2},"sender":1,"text":${sealed('nested')}}`,
        // The field's pattern met twice: neither is taken for the field, both are left for the loop.
        `{"sender":1,"text":${sealed('twice')},"copy":{"text":${sealed('twice')}}}`,
      ];
      const data = [...rows];
      const { data: started } = opening.start();
      await makeOpener(started)({ types: rows.map(() => 'MessageSent'), data });
      expect(data.map((text) => JSON.parse(text) as { text: unknown }).map((row) => row.text)).to.deep.equal([
        'last',
        'nested',
        JSON.parse(rows[2]!).text,
      ]);
    } finally {
      opening.close();
      await store.close();
    }
  });
});
