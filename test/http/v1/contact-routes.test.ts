import { expect } from 'chai';
import { v1As, v1ContactChanges } from '../../support/contacts.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { imUser, v1User, type TestUser } from '../../support/users.js';

type Named = TestUser & { login: string };

describe('v1 contacts', () => {
  let t: TestServer;
  let count = 0;
  /** A fresh user per test, so that tests do not see each other's contacts. */
  const someone = async (name: string): Promise<Named> => {
    const login = `${name}${(count += 1)}`;
    return { ...(await v1User(t, login)), login };
  };
  const refusal = (code: string) => ({ status: 422, body: { error: { code } } });
  const ok = { status: 200, body: {} };
  /** `a` asks, `b` accepts. */
  async function befriend(a: TestUser, b: TestUser): Promise<void> {
    expect(await v1As(t, a, 'POST', `/v1/contacts/${b.id}`, { ask: 'hi' })).to.deep.include(ok);
    expect(await v1As(t, b, 'PUT', `/v1/contacts/${a.id}`)).to.deep.include(ok);
  }

  before(async () => {
    t = await startTestServer();
  });
  after(() => t.stop());

  it('POST /v1/contacts/:id asks; the target lists the request as received, the sender as sent', async () => {
    const [ann, bob] = [await someone('ann'), await someone('bob')];
    const before = Math.floor(Date.now() / 1000) * 1000;
    expect(await v1As(t, ann, 'POST', `/v1/contacts/${bob.id}`, { ask: 'hello "bob"' })).to.deep.include(ok);
    const received = await v1As(t, bob, 'GET', '/v1/contacts/requests');
    expect(received.status).to.equal(200);
    const { at } = (received.body as { received: Array<{ at: string }> }).received[0]!;
    expect(at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(at)).to.be.within(before, Date.now());
    expect(received.body).to.deep.equal({ received: [{ user_id: ann.id, login: ann.login, ask: 'hello "bob"', at }], sent: [] });
    expect((await v1As(t, ann, 'GET', '/v1/contacts/requests')).body).to.deep.equal({
      received: [],
      sent: [{ user_id: bob.id, login: bob.login, ask: 'hello "bob"', at }],
    });
  });

  it('POST /v1/contacts/:id takes an empty body or no ask, and refuses a body that is not the right JSON', async () => {
    const [ann, bob, cid] = [await someone('ann'), await someone('bob'), await someone('cid')];
    const empty = await t.client.request('POST', `/v1/contacts/${bob.id}`, { headers: { 'x-session-id': ann.token } });
    expect(empty.status, empty.text).to.equal(200);
    expect(await v1As(t, ann, 'POST', `/v1/contacts/${cid.id}`, {})).to.deep.include(ok);
    expect(((await v1As(t, cid, 'GET', '/v1/contacts/requests')).body as { received: Array<{ ask: string }> }).received[0]?.ask).to.equal(
      '',
    );
    const dan = await someone('dan');
    for (const body of ['{', '[]', '{"ask":5}', 'null']) {
      const answer = await t.client.request('POST', `/v1/contacts/${dan.id}`, {
        headers: { 'x-session-id': ann.token, 'content-type': 'application/json' },
        body,
      });
      expect(answer.status, body).to.equal(422);
      expect(JSON.parse(answer.text), body).to.deep.equal({ error: { code: 'invalid_json' } });
    }
  });

  it('POST /v1/contacts/:id refuses: waiting_for_accept either way, contact_exists, cannot_add_self, user_not_found, invalid_ask', async () => {
    const [ann, bob, cid] = [await someone('ann'), await someone('bob'), await someone('cid')];
    await v1As(t, ann, 'POST', `/v1/contacts/${bob.id}`, { ask: 'hi' });
    expect(await v1As(t, ann, 'POST', `/v1/contacts/${bob.id}`, { ask: 'again' })).to.deep.include(refusal('waiting_for_accept'));
    expect(await v1As(t, bob, 'POST', `/v1/contacts/${ann.id}`, { ask: 'back' })).to.deep.include(refusal('waiting_for_accept'));
    await v1As(t, bob, 'PUT', `/v1/contacts/${ann.id}`);
    expect(await v1As(t, bob, 'POST', `/v1/contacts/${ann.id}`, { ask: 'hi' })).to.deep.include(refusal('contact_exists'));
    expect(await v1As(t, ann, 'POST', `/v1/contacts/${ann.id}`, { ask: 'me' })).to.deep.include(refusal('cannot_add_self'));
    for (const id of ['999999', '0', '-2', '2.5', 'abc', '99999999999999999999']) {
      expect(await v1As(t, ann, 'POST', `/v1/contacts/${id}`, { ask: 'hi' }), id).to.deep.include(refusal('user_not_found'));
    }
    expect(await v1As(t, ann, 'POST', `/v1/contacts/${cid.id}`, { ask: 'x'.repeat(101) })).to.deep.include(refusal('invalid_ask'));
  });

  it('PUT /v1/contacts/:id accepts; both lists show the other with id, login, name, phone, avatar', async () => {
    const ann = await someone('ann');
    const imBob = await imUser(t, 'im bob', '8613200000001');
    expect(await v1As(t, imBob, 'POST', `/v1/contacts/${ann.id}`, { ask: 'from im' })).to.deep.include(ok);
    expect(await v1As(t, ann, 'PUT', `/v1/contacts/${imBob.id}`)).to.deep.include(ok);
    const annSees = await v1As(t, ann, 'GET', '/v1/contacts');
    const { version } = annSees.body as { version: number };
    expect(version).to.be.a('number').greaterThan(0);
    expect(annSees.body).to.deep.equal({
      version,
      contacts: [{ id: imBob.id, login: 'im bob', name: 'im bob', phone: '8613200000001', avatar: '' }],
      removed: [],
    });
    expect((await v1As(t, imBob, 'GET', '/v1/contacts?since=0')).body).to.deep.equal({
      version,
      contacts: [{ id: ann.id, login: ann.login, name: ann.login, phone: null, avatar: '' }],
      removed: [],
    });
    expect((await v1As(t, ann, 'GET', '/v1/contacts/requests')).body).to.deep.equal({ received: [], sent: [] });
  });

  it('PUT /v1/contacts/:id refuses no_request: no request, one sent by the caller, a bad id, one accepted already', async () => {
    const [ann, bob] = [await someone('ann'), await someone('bob')];
    expect(await v1As(t, bob, 'PUT', `/v1/contacts/${ann.id}`)).to.deep.include(refusal('no_request'));
    await v1As(t, ann, 'POST', `/v1/contacts/${bob.id}`, { ask: 'hi' });
    expect(await v1As(t, ann, 'PUT', `/v1/contacts/${bob.id}`)).to.deep.include(refusal('no_request'));
    expect(await v1As(t, bob, 'PUT', '/v1/contacts/nobody')).to.deep.include(refusal('no_request'));
    expect(await v1As(t, bob, 'PUT', `/v1/contacts/${ann.id}`)).to.deep.include(ok);
    expect(await v1As(t, bob, 'PUT', `/v1/contacts/${ann.id}`)).to.deep.include(refusal('no_request'));
  });

  it('DELETE /v1/contacts/:id deletes a contact, and a client that synced before learns of the removal', async () => {
    const [ann, bob, cid] = [await someone('ann'), await someone('bob'), await someone('cid')];
    await befriend(ann, bob);
    await befriend(cid, ann);
    const before = await v1ContactChanges(t, ann, 0);
    expect(before.added.sort((a, b) => a - b)).to.deep.equal([bob.id, cid.id]);
    expect(await v1As(t, bob, 'DELETE', `/v1/contacts/${ann.id}`)).to.deep.include(ok);
    const after = await v1As(t, ann, 'GET', `/v1/contacts?since=${before.version}`);
    expect(after.body).to.deep.include({ contacts: [], removed: [bob.id] });
    expect((after.body as { version: number }).version).to.be.greaterThan(before.version);
    const full = await v1ContactChanges(t, ann, 0);
    expect(full.added).to.deep.equal([cid.id]);
    expect(await v1As(t, ann, 'DELETE', `/v1/contacts/${bob.id}`), 'deleted already').to.deep.include(refusal('not_a_contact'));
  });

  it('DELETE /v1/contacts/:id declines a request received and cancels one sent; not_a_contact when there is nothing', async () => {
    const [ann, bob, cid] = [await someone('ann'), await someone('bob'), await someone('cid')];
    await v1As(t, ann, 'POST', `/v1/contacts/${bob.id}`, { ask: 'to decline' });
    await v1As(t, ann, 'POST', `/v1/contacts/${cid.id}`, { ask: 'to cancel' });
    expect(await v1As(t, bob, 'DELETE', `/v1/contacts/${ann.id}`)).to.deep.include(ok);
    expect(await v1As(t, ann, 'DELETE', `/v1/contacts/${cid.id}`)).to.deep.include(ok);
    for (const user of [ann, bob, cid]) {
      expect((await v1As(t, user, 'GET', '/v1/contacts/requests')).body).to.deep.equal({ received: [], sent: [] });
      expect(await v1ContactChanges(t, user, 0)).to.deep.equal({ version: 0, added: [], removed: [] });
    }
    for (const id of [String(bob.id), String(ann.id), '999999', 'x']) {
      expect(await v1As(t, ann, 'DELETE', `/v1/contacts/${id}`), id).to.deep.include(refusal('not_a_contact'));
    }
  });

  it('GET /v1/contacts refuses a since that is not one non-negative integer', async () => {
    const ann = await someone('ann');
    for (const query of ['since=-1', 'since=abc', 'since=1.5', 'since=', 'since=1&since=2']) {
      expect(await v1As(t, ann, 'GET', `/v1/contacts?${query}`), query).to.deep.include(refusal('invalid_since'));
    }
  });

  it('answers 401 unauthorized without a session', async () => {
    for (const [method, path] of [
      ['GET', '/v1/contacts'],
      ['GET', '/v1/contacts/requests'],
      ['POST', '/v1/contacts/1'],
      ['PUT', '/v1/contacts/1'],
      ['DELETE', '/v1/contacts/1'],
    ]) {
      expect(await t.client.json(method!, path!), `${method} ${path}`).to.deep.include({
        status: 401,
        body: { error: { code: 'unauthorized' } },
      });
    }
  });

  it('documents every contact route in /v1/openapi.json, with its body and error codes', async () => {
    const document = (await t.client.json('GET', '/v1/openapi.json')).body as {
      paths: Record<string, Record<string, { summary: string; requestBody?: unknown; responses: { default?: { description: string } } }>>;
    };
    expect(Object.keys(document.paths['/v1/contacts/{id}'] ?? {})).to.have.members(['post', 'put', 'delete']);
    expect(document.paths['/v1/contacts']?.['get']?.summary).to.include('since');
    expect(document.paths['/v1/contacts/requests']?.['get']?.summary).to.be.a('string');
    const post = document.paths['/v1/contacts/{id}']?.['post'];
    expect(post?.requestBody).to.be.an('object');
    for (const code of ['contact_exists', 'waiting_for_accept', 'cannot_add_self', 'user_not_found', 'invalid_ask', 'invalid_json']) {
      expect(post?.responses.default?.description).to.include(code);
    }
    expect(document.paths['/v1/contacts/{id}']?.['put']?.responses.default?.description).to.include('no_request');
    expect(document.paths['/v1/contacts/{id}']?.['delete']?.responses.default?.description).to.include('not_a_contact');
  });
});
