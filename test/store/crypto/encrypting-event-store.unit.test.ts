import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, take, toArray } from 'rxjs';
import type { NewEvent } from '../../../src/events/recorded-event.js';
import { EncryptingEventStore, TamperedValueError } from '../../../src/store/crypto/encrypting-event-store.js';
import { newDataKey } from '../../../src/store/crypto/personal-data-cipher.js';
import { PersonKeys } from '../../../src/store/crypto/person-keys.js';
import { RecentlySealed } from '../../../src/store/crypto/recently-sealed.js';
import { ERASED_TEXT } from '../../../src/events/personal-data.js';
import { SqliteEventStore } from '../../../src/store/sqlite/sqlite-event-store.js';
import { SqliteKeyStore } from '../../../src/store/sqlite/sqlite-key-store.js';
import { eventStoreContract } from '../ports/event-store.contract.js';
import { meta } from '../../support/stores.js';

function open(dir = mkdtempSync(join(tmpdir(), 'eschat-enc-')), masterKey = newDataKey()) {
  const raw = SqliteEventStore.open({ file: join(dir, 'events.db'), durability: 'normal' });
  const keys = new PersonKeys(new SqliteKeyStore(join(dir, 'keys.db')), masterKey);
  return { dir, raw, keys, store: new EncryptingEventStore(raw, keys) };
}

const registered = (userId: number, name: string, phone: string | null): NewEvent => ({
  type: 'UserRegistered',
  data: { userId, name, login: name.toLowerCase(), phone, passwordHash: 'argon2id$x', avatar: '' },
  metadata: meta,
});
const sent = (sender: number, text: string): NewEvent => ({
  type: 'MessageSent',
  data: { roomId: 1, sender, device: 'd', clientId: null, kind: 'text', text, mediaId: null },
  metadata: { ...meta, actor: sender },
});

describe('EncryptingEventStore', () => {
  eventStoreContract('encrypting over sqlite', async () => open().store);

  it('stores personal fields sealed and reads them in clear on every path; the envelope stays readable', async () => {
    const { dir, raw, store } = open();
    await store.append('user-1', [registered(1, 'Zeynep', '+905551112233')]);
    await store.append('messages-1-20260101', [sent(1, 'the walrus sings at dawn')]);
    const [stored] = await raw.readStream('user-1');
    expect(stored!.data).to.include({ userId: 1, passwordHash: 'argon2id$x' });
    expect(stored!.data).to.have.nested.property('name.$enc');
    expect(stored!.data).to.have.nested.property('phone.$enc');
    const file = readFileSync(join(dir, 'events.db')).toString('latin1') + readFileSync(join(dir, 'events.db-wal')).toString('latin1');
    for (const secret of ['Zeynep', 'zeynep', '+905551112233', 'walrus']) expect(file).not.to.include(secret);
    expect((await store.readStream('user-1'))[0]!.data).to.include({ name: 'Zeynep', phone: '+905551112233', login: 'zeynep' });
    expect((await store.readAll())[1]!.data).to.include({ text: 'the walrus sings at dawn', sender: 1 });
    const live = await firstValueFrom(store.subscribe(0).pipe(take(2), toArray()));
    expect(live.map((event) => event.data)).to.deep.include.members([(await store.readAll())[1]!.data]);
    await store.close();
  });

  it('seals with AES-256-GCM when told to (unmarked, as earlier versions read), and reads a log holding values of both ciphers', async () => {
    const { dir, raw, keys, store } = open();
    await store.append('messages-1-20260101', [sent(1, 'sealed with xchacha')]);
    const gcm = new EncryptingEventStore(raw, keys, { sealWith: 'aes-256-gcm' });
    await gcm.append('messages-1-20260101', [sent(1, 'sealed with gcm')]);
    const stored = (await raw.readAll()).map((event) => (event.data as { text: { $enc: string } }).text.$enc);
    expect(stored.map((sealed) => sealed.startsWith('x:'))).to.deep.equal([true, false]);
    const file = readFileSync(join(dir, 'events.db')).toString('latin1') + readFileSync(join(dir, 'events.db-wal')).toString('latin1');
    expect(file).not.to.include('sealed with');
    for (const reader of [store, gcm])
      expect((await reader.readAll()).map((event) => (event.data as { text: string }).text)).to.deep.equal([
        'sealed with xchacha',
        'sealed with gcm',
      ]);
    await store.close();
  });

  it('opens a page of more people than the key cache holds: each with the key fetched for it, none read as erased', async () => {
    const masterKey = newDataKey();
    const { dir, store } = open(undefined, masterKey);
    for (let sender = 1; sender <= 5; sender++) await store.append(`messages-${sender}-20260101`, [sent(sender, `from ${sender}`)]);
    await store.close();
    const raw = SqliteEventStore.open({ file: join(dir, 'events.db'), durability: 'normal' });
    const small = new EncryptingEventStore(raw, new PersonKeys(new SqliteKeyStore(join(dir, 'keys.db')), masterKey, 2));
    try {
      expect((await small.readAll()).map((event) => event.data)).to.deep.equal(
        [1, 2, 3, 4, 5].map((sender) => sent(sender, `from ${sender}`).data),
      );
    } finally {
      await small.close();
    }
  });

  it('opens a catch-up burst of thousands of events behind one key fetch, in order, without overflowing the stack', async function () {
    this.timeout(20_000);
    const masterKey = newDataKey();
    const { dir, store } = open(undefined, masterKey);
    await store.append('user-1', [registered(1, 'Zeynep', null)]);
    await store.append(
      'messages-1-20260101',
      Array.from({ length: 20_000 }, (_, i) => sent(1, `burst ${i}`)),
    );
    await store.close();
    // A fresh process: no key cached, so the first event waits for a fetch while the rest queue.
    const again = open(dir, masterKey);
    const events = await firstValueFrom(again.store.subscribe(0).pipe(take(20_001), toArray()));
    expect(events.map((event) => event.position)).to.deep.equal(Array.from({ length: 20_001 }, (_, i) => i + 1));
    expect(events.at(-1)!.data).to.include({ text: 'burst 19999' });
    await again.store.close();
  });

  it('reads a person whose key the key store lacks as erased on the live path too, and goes on', async function () {
    const { dir, store } = open();
    await store.append('user-1', [registered(1, 'Zeynep', null)]);
    await store.append('messages-1-20260101', [sent(1, 'no key here')]);
    await store.close();
    // The log without its keys (a copy made without them): a fetch finds nothing, and must not be asked again and again.
    const raw = SqliteEventStore.open({ file: join(dir, 'events.db'), durability: 'normal' });
    const keyless = new EncryptingEventStore(raw, new PersonKeys(new SqliteKeyStore(join(dir, 'other-keys.db')), newDataKey()));
    const events = await firstValueFrom(keyless.subscribe(0).pipe(take(2), toArray()));
    expect(events.map((event) => event.data)).to.deep.include.members([{ ...(events[1]!.data as object), text: '[erased]' }]);
    expect(events[0]!.data).to.include({ name: 'erased user' });
    await keyless.close();
  });

  it('reads an erased person as placeholders, everyone else as before, and writes no new key for them', async () => {
    const { raw, keys, store } = open();
    await store.append('user-1', [registered(1, 'Zeynep', '+905551112233')]);
    await store.append('user-2', [registered(2, 'Bob', null)]);
    await store.append('messages-1-20260101', [sent(1, 'secret of zeynep'), sent(2, 'bob speaks')]);
    await keys.erase(1);
    const events = await store.readAll();
    expect(events[0]!.data).to.include({ name: 'erased user', login: null, phone: null, avatar: '' });
    expect(events[1]!.data).to.include({ name: 'Bob', login: 'bob' });
    expect(events[2]!.data).to.include({ text: '[erased]', sender: 1 });
    expect(events[3]!.data).to.include({ text: 'bob speaks' });
    await store.append('messages-1-20260101', [sent(1, 'after erasure')]);
    const [, , , , late] = await raw.readAll();
    expect(late!.data).to.include({ text: '[erased]' });
    // A process that had the key cached forgets it when it reads the UserErased of another.
    await store.close();
  });

  it('passes plaintext values of an older log through untouched', async () => {
    const { raw, store } = open();
    await raw.append('user-5', [registered(5, 'Old Timer', '+15550000')]);
    expect((await store.readStream('user-5'))[0]!.data).to.include({ name: 'Old Timer', phone: '+15550000' });
    await store.close();
  });

  it("refuses a value moved into another person's event", async () => {
    const { raw, store } = open();
    await store.append('messages-1-20260101', [sent(1, 'mine'), sent(2, 'yours')]);
    const [mine] = await raw.readAll();
    expect(mine!.data).to.have.nested.property('text.$enc');
    const moved = sent(2, 'placeholder');
    await raw.append('messages-1-20260101', [
      { ...moved, data: { ...(moved.data as object), text: (mine!.data as { text: unknown }).text } },
    ]);
    try {
      await store.readAll();
      expect.fail('read a moved value');
    } catch (error) {
      expect(error).to.be.instanceOf(TamperedValueError);
    }
    await store.close();
  });

  describe('values it sealed itself', () => {
    const withRecent = () => {
      const opened = open();
      const recent = new RecentlySealed();
      return { ...opened, recent, store: new EncryptingEventStore(opened.raw, opened.keys, { recent }) };
    };

    it('opens them from memory when its subscription brings them back, once', async () => {
      const { raw, recent, store } = withRecent();
      await store.append('messages-1-20260101', [sent(1, 'sealed and kept')]);
      expect(recent.size).to.equal(1);
      const [live] = await firstValueFrom(store.subscribe(0).pipe(take(1), toArray()));
      expect(live!.data).to.include({ text: 'sealed and kept', sender: 1 });
      expect(recent.size).to.equal(0);
      // The log holds the sealed text all the same, and a second reader decrypts it.
      expect((await raw.readAll())[0]!.data).to.have.nested.property('text.$enc');
      expect((await firstValueFrom(store.subscribe(0)))!.data).to.include({ text: 'sealed and kept' });
      await store.close();
    });

    it("reads them as placeholders once the person is erased, and keeps neither those nor a refused append's", async () => {
      const { keys, recent, store } = withRecent();
      await store.append('messages-1-20260101', [sent(1, 'soon gone')]);
      await keys.erase(1);
      expect((await firstValueFrom(store.subscribe(0)))!.data).to.include({ text: ERASED_TEXT });
      const refused = store.append('messages-2-20260101', [sent(2, 'never stored')], { expectedRevision: 5 });
      await refused.then(
        () => expect.fail('appended'),
        () => undefined,
      );
      expect(recent.size).to.equal(0);
      await store.close();
    });
  });
});
