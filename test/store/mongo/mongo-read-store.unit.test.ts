import { expect } from 'chai';
import { MongoReadStore, databaseOf } from '../../../src/store/mongo/mongo-read-store.js';
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

describe('MongoReadStore.connect without a server', function () {
  it('reads the database of a replica set URI with several hosts, credentials and options', () => {
    expect(databaseOf('mongodb://h1:27017,h2:27017/db?replicaSet=rs')).to.equal('db');
    expect(databaseOf('mongodb://u%40x:p%2Fw@h1:1,h2:2,h3:3/chat%20db?replicaSet=rs&w=majority')).to.equal('chat db');
    expect(databaseOf('mongodb+srv://u:p@cluster.example.net/prod')).to.equal('prod');
    expect(databaseOf('mongodb://h1:27017,h2:27017/?replicaSet=rs')).to.equal(undefined);
    expect(databaseOf('mongodb://localhost')).to.equal(undefined);
  });

  it("fails on several unreachable hosts with the driver's error, not a URL parse crash", async function () {
    this.timeout(5000);
    const error = await MongoReadStore.connect('mongodb://127.0.0.1:9,127.0.0.1:7/db?replicaSet=rs&serverSelectionTimeoutMS=200').then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).name).to.equal('MongoServerSelectionError');
  });

  it('refuses a malformed URI before connecting', async () => {
    const error = await MongoReadStore.connect('mongodb://h1:27017,h2:notaport/db').then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.match(/unable to parse h2:notaport/i);
  });
});
