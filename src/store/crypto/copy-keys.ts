import type { KeyStore } from '../ports/key-store.js';
import { CopyConflict } from '../copy-events.js';

/**
 * Copies people's keys as they are stored (wrapped with the master key, which the copy shares),
 * tombstones included: a person erased in the source is erased in the copy, whatever the
 * copied log still holds sealed. Idempotent; a key the target holds already must be the same.
 * Returns how many people were copied.
 */
export async function copyKeys(source: KeyStore, target: KeyStore): Promise<number> {
  let people = 0;
  for await (const [subject, key] of source.entries()) {
    if (key.state === 'erased') await target.erase(subject);
    else {
      const kept = await target.create(subject, key.wrapped);
      if (kept.state === 'key' && !kept.wrapped.equals(key.wrapped)) {
        throw new CopyConflict(`the target's key store holds another key for user ${subject}`);
      }
      // A target that erased the person meanwhile keeps the erasure: nothing comes back.
    }
    people++;
  }
  return people;
}
