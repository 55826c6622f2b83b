import { GridFsMediaStore } from '../../../src/store/mongo/gridfs-media-store.js';
import { MongoReadStore } from '../../../src/store/mongo/mongo-read-store.js';
import { mediaStoreContract } from '../ports/media-store.contract.js';

/** Set ESCHAT_TEST_MONGO to a mongodb:// URI to run the contract against a real server. */
const uri = process.env.ESCHAT_TEST_MONGO;

if (uri) {
  const connected: MongoReadStore[] = [];
  mediaStoreContract('gridfs', async () => {
    const readStore = await MongoReadStore.connect(uri, 'eschat_contract');
    connected.push(readStore);
    return new GridFsMediaStore(readStore.gridFsBucket(`media_${Date.now()}`));
  });
  after(() => Promise.all(connected.map((store) => store.close())));
} else {
  describe('MediaStore contract: gridfs', function () {
    it.skip('skipped: set ESCHAT_TEST_MONGO=mongodb://host:port to run it against a MongoDB server');
  });
}
