import { MongoKeyStore } from '../../../src/store/mongo/mongo-key-store.js';
import { keyStoreContract } from '../ports/key-store.contract.js';

/** Set ESCHAT_TEST_MONGO to a mongodb:// URI to run the contract against a real server. */
const uri = process.env.ESCHAT_TEST_MONGO;

if (uri) {
  keyStoreContract('mongo', () => MongoKeyStore.connect(uri, 'eschat_contract'));
} else {
  describe('KeyStore contract: mongo', function () {
    it.skip('skipped: set ESCHAT_TEST_MONGO=mongodb://host:port to run it against a MongoDB server');
  });
}
