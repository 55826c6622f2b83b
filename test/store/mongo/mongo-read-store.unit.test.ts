import { MongoReadStore } from '../../../src/store/mongo/mongo-read-store.js';
import { readStoreContract } from '../ports/read-store.contract.js';

/** Set ESCHAT_TEST_MONGO to a mongodb:// URI to run the contract against a real server. */
const uri = process.env.ESCHAT_TEST_MONGO;

if (uri) {
  readStoreContract('mongo', () => MongoReadStore.connect(uri, 'eschat_contract'));
} else {
  describe('ReadStore contract: mongo', function () {
    it.skip('skipped: set ESCHAT_TEST_MONGO=mongodb://host:port to run it against a MongoDB server');
  });
}
