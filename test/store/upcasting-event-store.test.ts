import { expect } from 'chai';
import { join } from 'node:path';
import { hashToken, newToken } from '../../src/events/token.js';
import { sessionStream } from '../../src/events/session.js';
import { auditUser } from '../../src/queries/audit/user.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { UpcastingEventStore } from '../../src/store/upcasting-event-store.js';
import { tempEventStore } from '../support/stores.js';
import { startTestServer } from '../support/test-server.js';
import { v1User } from '../support/users.js';
import { eventStoreContract } from './ports/event-store.contract.js';

describe('UpcastingEventStore', () => {
  eventStoreContract('upcasting over sqlite', async () => new UpcastingEventStore(await tempEventStore()));

  it('lets a server, its read models and the audit read a session recorded in an old shape as a current one', async function () {
    this.timeout(30_000);
    const first = await startTestServer();
    const user = await v1User(first, 'veteran');
    await first.stop(true);
    // Written as sessions were before the log kept their dialect and address, behind the server's back.
    const token = newToken();
    const raw = SqliteEventStore.open({ file: join(first.dataDir, 'events.db'), durability: 'normal' });
    const old = { sessionId: 'old-session', userId: user.id, tokenHash: hashToken(token), device: 'phone' };
    await raw.append(sessionStream('old-session'), [
      { type: 'SessionStarted', data: old, metadata: { actor: user.id, correlationId: 'import', at: new Date().toISOString() } },
    ]);
    const [stored] = await raw.readStream(sessionStream('old-session'));
    expect(stored!.data, 'the log keeps what was written').to.deep.equal(old);
    await raw.close();

    const second = await startTestServer({}, first.dataDir);
    try {
      const info = await second.client.json('GET', '/v1/info', undefined, token);
      expect(info.body).to.deep.equal({ id: user.id, login: 'veteran' });
      const session = await second.server.runner.collection('sessions', 'sessions').findOne({ sessionId: 'old-session' });
      expect(session).to.include({ dialect: 'v1', device: 'phone' });
      const [read] = await second.server.store.readStream(sessionStream('old-session'));
      expect(read!.data).to.deep.equal({ ...old, dialect: 'v1', address: null });
      const audit = await auditUser(second.server.store, user.id, { withContent: false });
      const signIns = audit!.entries.filter((entry) => entry.type === 'SessionStarted').map((entry) => entry.summary);
      expect(signIns.at(-1)).to.equal(`veteran (#${user.id}) signed in on "phone" (v1) from an unknown address`);
    } finally {
      await second.stop();
    }
  });
});
