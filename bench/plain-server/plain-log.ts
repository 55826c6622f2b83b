import type { Config } from '../../src/platform/config.js';
import type { PersonKeys } from '../../src/store/crypto/person-keys.js';
import { openAdapter } from '../../src/store/open-stores.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import { UpcastingEventStore } from '../../src/store/upcasting-event-store.js';

/** The log as `openEventStore` opens it less the encrypting store: events stored as they are sent. */
export async function openPlainLog(config: Config, keys: PersonKeys): Promise<EventStore> {
  return new PlainLog(await openAdapter(config), keys);
}

/** Closes the key store with the log, as the encrypting store does: startServer hands the keys to the log. */
class PlainLog extends UpcastingEventStore {
  constructor(
    adapter: EventStore,
    private readonly keys: PersonKeys,
  ) {
    super(adapter);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.keys.store.close();
  }
}
