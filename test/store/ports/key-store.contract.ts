import { expect } from 'chai';
import type { UserId } from '../../../src/events/recorded-event.js';
import type { KeyStore, StoredKey } from '../../../src/store/ports/key-store.js';

/** What every KeyStore adapter owes the encrypting store: one key per person, tombstones that stay. */
export function keyStoreContract(name: string, open: () => Promise<KeyStore>): void {
  describe(`KeyStore contract: ${name}`, function () {
    let store: KeyStore;
    // Distinct people per run, so a store that outlives one (a MongoDB database) does not see an earlier run's.
    const base = Date.now() % 1_000_000_000;
    before(async function () {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    it('knows nobody at first, then keeps the first key made for a person', async () => {
      expect(await store.get(base + 1)).to.equal(null);
      const first = await store.create(base + 1, Buffer.from('first-wrapped-key'));
      expect(first).to.deep.equal({ state: 'key', wrapped: Buffer.from('first-wrapped-key') });
      const second = await store.create(base + 1, Buffer.from('second-wrapped-key'));
      expect(second, 'a racing writer gets the stored key').to.deep.equal(first);
      expect(await store.get(base + 1)).to.deep.equal(first);
    });

    it('erases a key for good: a tombstone that no later create replaces, idempotently, also for a person without a key', async () => {
      await store.create(base + 2, Buffer.from('doomed'));
      await store.erase(base + 2);
      await store.erase(base + 2);
      expect(await store.get(base + 2)).to.deep.equal({ state: 'erased' });
      expect(await store.create(base + 2, Buffer.from('again'))).to.deep.equal({ state: 'erased' });
      await store.erase(base + 3);
      expect(await store.get(base + 3)).to.deep.equal({ state: 'erased' });
    });

    it('lists every person with their state, for a copy', async () => {
      await store.create(base + 4, Buffer.from('kept'));
      const entries = new Map<UserId, StoredKey>();
      for await (const [subject, key] of store.entries()) entries.set(subject, key);
      expect(entries.get(base + 4)).to.deep.equal({ state: 'key', wrapped: Buffer.from('kept') });
      expect(entries.get(base + 2)).to.deep.equal({ state: 'erased' });
    });
  });
}
