import { EsdbEventStore } from '../../../src/store/esdb/esdb-event-store.js';
import { eventStoreContract } from '../ports/event-store.contract.js';

/**
 * Runs only against a real server: ESCHAT_TEST_EVENTSTORE=esdb://localhost:2113?tls=false.
 * The contract's streams have random names, so a shared server is fine.
 */
const connectionString = process.env.ESCHAT_TEST_EVENTSTORE;

if (connectionString === undefined || connectionString === '') {
  describe('EsdbEventStore', function () {
    it('runs the event store contract when ESCHAT_TEST_EVENTSTORE holds a connection string', function () {
      this.skip();
    });
  });
} else {
  // A network round trip per call: allow more time for deliveries and for stray events.
  eventStoreContract('EventStoreDB', () => EsdbEventStore.connect(connectionString), {
    deliveryTimeoutMs: 10_000,
    quietPeriodMs: 500,
  });
}
