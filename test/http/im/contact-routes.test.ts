import { expect } from 'chai';
import { imAs, imContactChanges } from '../../support/contacts.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { responseOf } from '../../support/toml.js';
import { imUser, type TestUser } from '../../support/users.js';

describe('im contacts', () => {
  let t: TestServer;
  let phones = 8613100000000;
  /** A fresh user per test, so that tests do not see each other's contacts. */
  const someone = (name: string): Promise<TestUser> => imUser(t, name, String((phones += 1)));
  const answer = async (user: TestUser, method: string, path: string, fields: Record<string, string> = {}) =>
    responseOf((await t.client.form(method, path, fields, user.token)).text);

  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('POST /contact/:id asks, and the target sees the request at once with its greeting and time', async () => {
    const [ann, bob] = [await someone('ann'), await someone('bob')];
    const before = Math.floor(Date.now() / 1000);
    expect(await answer(ann, 'POST', `/contact/${bob.id}`, { ask: 'I am "ann" 🙂' })).to.deep.equal({ status: 0 });
    const tables = await imAs(t, bob, 'GET', '/pre_contact/0');
    expect(tables['response']).to.deep.equal([{ status: 0 }]);
    const [request] = tables['pre_contact'] ?? [];
    expect(request).to.include({ user_id: ann.id, message: 'I am "ann" 🙂' });
    expect(request?.['timestamp']).to.be.within(before, Math.ceil(Date.now() / 1000));
    expect((await imAs(t, ann, 'GET', '/pre_contact/0'))['pre_contact'], 'a request sent is not one received').to.equal(undefined);
  });

  it('records who asked and from which device, for the notifications', async () => {
    const [ann, bob] = [await someone('ann'), await someone('bob')];
    await answer(ann, 'POST', `/contact/${bob.id}`, { ask: 'hi' });
    const [event] = await t.server.store.readAll({ direction: 'backwards', maxCount: 1 });
    expect(event).to.deep.include({ type: 'ContactRequested', data: { from: ann.id, to: bob.id, ask: 'hi' } });
    expect(event?.metadata).to.include({ actor: ann.id, device: 'android' });
  });

  it('POST /contact/:id refuses as the original: ask Required, Waiting for accept (either way), Contact exists', async () => {
    const [ann, bob] = [await someone('ann'), await someone('bob')];
    expect(await answer(ann, 'POST', `/contact/${bob.id}`)).to.deep.equal({ status: 3, reason: 'ask Required' });
    expect(await answer(ann, 'POST', `/contact/${bob.id}`, { ask: 'hi' })).to.deep.equal({ status: 0 });
    expect(await answer(ann, 'POST', `/contact/${bob.id}`, { ask: 'again' })).to.deep.equal({ status: 1, reason: 'Waiting for accept' });
    expect(await answer(bob, 'POST', `/contact/${ann.id}`, { ask: 'back' })).to.deep.equal({ status: 1, reason: 'Waiting for accept' });
    expect(await answer(bob, 'PUT', `/contact/${ann.id}`)).to.deep.equal({ status: 0 });
    expect(await answer(ann, 'POST', `/contact/${bob.id}`, { ask: 'hi' })).to.deep.equal({ status: 1, reason: 'Contact exists' });
    expect(await answer(bob, 'POST', `/contact/${ann.id}`, { ask: 'hi' })).to.deep.equal({ status: 1, reason: 'Contact exists' });
  });

  it('POST /contact/:id refuses oneself, unknown users, bad ids and long greetings with status 3', async () => {
    const ann = await someone('ann');
    expect(await answer(ann, 'POST', `/contact/${ann.id}`, { ask: 'me' })).to.deep.equal({ status: 3, reason: 'Cannot add yourself' });
    for (const id of ['999999', '0', '-1', '1.5', '1e3', 'abc', '99999999999999999999']) {
      expect(await answer(ann, 'POST', `/contact/${id}`, { ask: 'hi' }), id).to.deep.equal({ status: 3, reason: 'User Not Exist!' });
    }
    const bob = await someone('bob');
    expect(await answer(ann, 'POST', `/contact/${bob.id}`, { ask: 'x'.repeat(101) })).to.deep.equal({ status: 3, reason: 'Invalid ask' });
    expect(await answer(ann, 'POST', `/contact/${bob.id}`, { ask: '字'.repeat(100) })).to.deep.equal({ status: 0 });
  });

  it('answers Token error without a valid token', async () => {
    const bob = await someone('bob');
    for (const [method, path] of [
      ['POST', `/contact/${bob.id}`],
      ['PUT', `/contact/${bob.id}`],
      ['DELETE', `/contact/${bob.id}`],
      ['GET', '/contact/version/0'],
      ['GET', '/pre_contact/0'],
    ] as const) {
      for (const headers of [{}, { cookie: 'token=3vPjUabByvMwBFR9tIeP0bDec4INGQ/T' }] as Array<Record<string, string>>) {
        expect(responseOf((await t.client.request(method, path, { headers })).text), `${method} ${path}`).to.deep.equal({
          status: 1,
          reason: 'Token error',
        });
      }
    }
  });

  it('PUT /contact/:id accepts a request received, and nothing else: Unauthorized operate', async () => {
    const [ann, bob, cid] = [await someone('ann'), await someone('bob'), await someone('cid')];
    expect(await answer(bob, 'PUT', `/contact/${ann.id}`)).to.deep.equal({ status: 1, reason: 'Unauthorized operate' });
    await answer(ann, 'POST', `/contact/${bob.id}`, { ask: 'hi' });
    expect(await answer(ann, 'PUT', `/contact/${bob.id}`), 'the sender cannot accept').to.deep.equal({
      status: 1,
      reason: 'Unauthorized operate',
    });
    expect(await answer(cid, 'PUT', `/contact/${ann.id}`), 'nor a third user').to.deep.equal({ status: 1, reason: 'Unauthorized operate' });
    expect(await answer(bob, 'PUT', '/contact/abc')).to.deep.equal({ status: 1, reason: 'Unauthorized operate' });
    expect(await answer(bob, 'PUT', `/contact/${ann.id}`)).to.deep.equal({ status: 0 });
    expect(await answer(bob, 'PUT', `/contact/${ann.id}`), 'accepted already').to.deep.equal({ status: 1, reason: 'Unauthorized operate' });
    expect((await imAs(t, bob, 'GET', '/pre_contact/0'))['pre_contact']).to.equal(undefined);
  });

  it('GET /contact/version/:n answers the version and the contacts as [[user]] rows, as the seed shows', async () => {
    const [ann, bob] = [await someone('ann'), await someone('bob')];
    expect(await imAs(t, ann, 'GET', '/contact/version/0')).to.deep.equal({ response: [{ status: 0, version: 0 }] });
    await answer(ann, 'POST', `/contact/${bob.id}`, { ask: 'hi' });
    await answer(bob, 'PUT', `/contact/${ann.id}`);
    const annSees = await imAs(t, ann, 'GET', '/contact/version/0');
    const version = annSees['response']?.[0]?.['version'] as number;
    expect(version).to.be.a('number').greaterThan(0);
    expect(annSees).to.deep.equal({
      response: [{ status: 0, version }],
      user: [{ id: bob.id, name: 'bob', phone: String(phones), avatar: '' }],
    });
    // Both sides changed with the same event, so both lists carry its version.
    expect((await imAs(t, bob, 'GET', '/contact/version/0'))['response']).to.deep.equal([{ status: 0, version }]);
    expect(await imAs(t, ann, 'GET', `/contact/version/${version}`)).to.deep.equal({ response: [{ status: 0, version }] });
    const raw = await t.client.form('GET', `/contact/version/${version}`, {}, ann.token);
    expect(raw.headers['content-type']).to.equal('application/toml; charset=utf-8');
  });

  it('GET /contact/version/:n refuses a version that is not a non-negative integer', async () => {
    const ann = await someone('ann');
    for (const n of ['-1', 'abc', '1.5', '1e3', '99999999999999999999']) {
      expect(await answer(ann, 'GET', `/contact/version/${n}`), n).to.deep.equal({ status: 3, reason: 'Invalid version' });
    }
  });

  it('DELETE /contact/:id deletes a contact, and both sides learn of it as [[removed]] rows', async () => {
    const [ann, bob] = [await someone('ann'), await someone('bob')];
    await answer(ann, 'POST', `/contact/${bob.id}`, { ask: 'hi' });
    await answer(bob, 'PUT', `/contact/${ann.id}`);
    const annVersion = (await imContactChanges(t, ann, 0)).version;
    const bobVersion = (await imContactChanges(t, bob, 0)).version;
    expect(await answer(bob, 'DELETE', `/contact/${ann.id}`)).to.deep.equal({ status: 0 });
    const annSees = await imAs(t, ann, 'GET', `/contact/version/${annVersion}`);
    expect(annSees['removed']).to.deep.equal([{ id: bob.id }]);
    expect(annSees['user']).to.equal(undefined);
    expect(annSees['response']?.[0]?.['version']).to.be.greaterThan(annVersion);
    expect((await imContactChanges(t, bob, bobVersion)).removed).to.deep.equal([ann.id]);
  });

  it('DELETE /contact/:id declines a request received, cancels one sent, and answers 0 when there is nothing to end', async () => {
    const [ann, bob, cid] = [await someone('ann'), await someone('bob'), await someone('cid')];
    await answer(ann, 'POST', `/contact/${bob.id}`, { ask: 'declined' });
    expect(await answer(bob, 'DELETE', `/contact/${ann.id}`)).to.deep.equal({ status: 0 });
    expect((await imAs(t, bob, 'GET', '/pre_contact/0'))['pre_contact']).to.equal(undefined);
    await answer(ann, 'POST', `/contact/${cid.id}`, { ask: 'cancelled' });
    expect(await answer(ann, 'DELETE', `/contact/${cid.id}`)).to.deep.equal({ status: 0 });
    expect((await imAs(t, cid, 'GET', '/pre_contact/0'))['pre_contact']).to.equal(undefined);
    const head = await t.server.store.headPosition();
    for (const id of [String(cid.id), String(ann.id), '999999', 'abc', String(ann.id)]) {
      expect(await answer(ann, 'DELETE', `/contact/${id}`), id).to.deep.equal({ status: 0 });
    }
    expect(await t.server.store.headPosition(), 'nothing to end appends nothing').to.equal(head);
    // Ended requests leave no contact behind, and a new request may be sent.
    expect((await imContactChanges(t, ann, 0)).added).to.deep.equal([]);
    expect(await answer(bob, 'POST', `/contact/${ann.id}`, { ask: 'now me' })).to.deep.equal({ status: 0 });
  });

  it('GET /pre_contact/:since lists requests received at or after a unix time, oldest first', async () => {
    const [ann, bob, cid] = [await someone('ann'), await someone('bob'), await someone('cid')];
    await answer(bob, 'POST', `/contact/${ann.id}`, { ask: 'first' });
    await answer(cid, 'POST', `/contact/${ann.id}`, { ask: 'second' });
    const all = (await imAs(t, ann, 'GET', '/pre_contact/0'))['pre_contact'] ?? [];
    expect(all.map((row) => [row['user_id'], row['message']])).to.deep.equal([
      [bob.id, 'first'],
      [cid.id, 'second'],
    ]);
    const newest = all[1]?.['timestamp'] as number;
    expect((await imAs(t, ann, 'GET', `/pre_contact/${newest}`))['pre_contact']?.map((row) => row['user_id'])).to.include(cid.id);
    expect((await imAs(t, ann, 'GET', `/pre_contact/${newest + 1}`))['pre_contact']).to.equal(undefined);
    for (const since of ['-1', 'soon']) {
      expect(await answer(ann, 'GET', `/pre_contact/${since}`), since).to.deep.equal({ status: 3, reason: 'Invalid timestamp' });
    }
  });
});
