import { expect } from 'chai';
import { seededRandom, type Random } from '../codecs/im/random.js';
import { imAs, imContactChanges, v1As, v1ContactChanges, type ContactChanges } from '../support/contacts.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { responseOf } from '../support/toml.js';
import { imUser, v1User, type TestUser } from '../support/users.js';

type Dialect = 'im' | 'v1';
type Kind = 'request' | 'accept' | 'remove';
type Outcome = 'ok' | 'cannot_add_self' | 'user_not_found' | 'contact_exists' | 'waiting_for_accept' | 'no_request' | 'not_a_contact';

const SEED = 20261121;
const STEPS = 400;
const USERS = 20;
const NOBODY = 999_999;

const pairKey = (a: number, b: number): string => `${Math.min(a, b)}-${Math.max(a, b)}`;
const ascending = (ids: Iterable<number>): number[] => [...ids].sort((a, b) => a - b);

/** What the server should hold, computed the obvious way. */
class ContactModel {
  private readonly contacts = new Set<string>();
  private readonly requests = new Map<string, { from: number; to: number; ask: string }>();

  constructor(private readonly users: ReadonlySet<number>) {}

  apply(kind: Kind, actor: number, other: number, ask: string): Outcome {
    const key = pairKey(actor, other);
    const request = this.requests.get(key);
    switch (kind) {
      case 'request':
        if (actor === other) return 'cannot_add_self';
        if (!this.users.has(other)) return 'user_not_found';
        if (this.contacts.has(key)) return 'contact_exists';
        if (request) return 'waiting_for_accept';
        this.requests.set(key, { from: actor, to: other, ask });
        return 'ok';
      case 'accept':
        if (request?.from !== other || request.to !== actor) return 'no_request';
        this.requests.delete(key);
        this.contacts.add(key);
        return 'ok';
      case 'remove':
        return this.requests.delete(key) || this.contacts.delete(key) ? 'ok' : 'not_a_contact';
    }
  }

  contactsOf(user: number): number[] {
    return ascending([...this.users].filter((other) => this.contacts.has(pairKey(user, other)) && other !== user));
  }

  received(user: number): Array<{ from: number; ask: string }> {
    return [...this.requests.values()].filter((request) => request.to === user).map(({ from, ask }) => ({ from, ask }));
  }

  sent(user: number): Array<{ to: number; ask: string }> {
    return [...this.requests.values()].filter((request) => request.from === user).map(({ to, ask }) => ({ to, ask }));
  }
}

/** A device that keeps its own copy of the list and syncs it incrementally. */
interface Client {
  user: TestUser;
  dialect: Dialect;
  version: number;
  list: Set<number>;
}

/** The answer each dialect gives for each outcome (im's DELETE answers 0 whatever happened, as the original). */
function expectedAnswer(dialect: Dialect, kind: Kind, outcome: Outcome): unknown {
  if (dialect === 'v1') return outcome === 'ok' ? { status: 200, body: {} } : { status: 422, body: { error: { code: outcome } } };
  const reasons: Record<Outcome, [number, string]> = {
    ok: [0, ''],
    cannot_add_self: [3, 'Cannot add yourself'],
    user_not_found: [3, 'User Not Exist!'],
    contact_exists: [1, 'Contact exists'],
    waiting_for_accept: [1, 'Waiting for accept'],
    no_request: [1, 'Unauthorized operate'],
    not_a_contact: [0, ''],
  };
  const [status, reason] = reasons[outcome];
  return kind === 'remove' || status === 0 ? { status: 0 } : { status, reason };
}

describe('contact sync across dialects, property: incremental clients end with the server list', function () {
  this.timeout(60_000);
  let t: TestServer;
  let users: TestUser[];
  let clients: Client[];
  let model: ContactModel;

  before(async () => {
    t = await startTestServer();
    // argon2 makes registration the slow part: once for the whole run, half in each dialect.
    users = await Promise.all(
      Array.from({ length: USERS }, (_, i) => (i % 2 === 0 ? imUser(t, `im${i}`, String(8613400000000 + i)) : v1User(t, `web${i}`))),
    );
    clients = users.flatMap((user) => (['im', 'v1'] as const).map((dialect) => ({ user, dialect, version: 0, list: new Set<number>() })));
    model = new ContactModel(new Set(users.map((user) => user.id)));
  });
  after(() => t.stop());

  async function send(dialect: Dialect, kind: Kind, actor: TestUser, other: number, ask: string): Promise<unknown> {
    const method = { request: 'POST', accept: 'PUT', remove: 'DELETE' }[kind];
    if (dialect === 'v1') {
      const { status, body } = await v1As(t, actor, method, `/v1/contacts/${other}`, kind === 'request' ? { ask } : undefined);
      return { status, body };
    }
    return responseOf((await t.client.form(method, `/contact/${other}`, kind === 'request' ? { ask } : {}, actor.token)).text);
  }

  const changesIn = (dialect: Dialect, user: TestUser, since: number): Promise<ContactChanges> =>
    dialect === 'im' ? imContactChanges(t, user, since) : v1ContactChanges(t, user, since);

  async function sync(client: Client): Promise<void> {
    const changes = await changesIn(client.dialect, client.user, client.version);
    expect(changes.version, 'versions never go back').to.be.at.least(client.version);
    for (const id of changes.added) client.list.add(id);
    for (const id of changes.removed) client.list.delete(id);
    client.version = changes.version;
  }

  /** Whom `actor` acts on: mostly someone it has something going with, so that commands succeed often. */
  function targetOf(rng: Random, kind: Kind, actor: TestUser): number {
    const roll = rng.int(40);
    if (roll === 0) return NOBODY;
    if (roll === 1) return actor.id;
    const related =
      kind === 'accept'
        ? model.received(actor.id).map((request) => request.from)
        : kind === 'remove'
          ? [...model.contactsOf(actor.id), ...model.sent(actor.id).map((r) => r.to)]
          : [];
    return related.length > 0 && rng.int(3) > 0 ? rng.pick(related) : rng.pick(users).id;
  }

  it('agrees with a model at every step, and every client ends with the full list in both dialects', async () => {
    const rng = seededRandom(SEED);
    const outcomes = new Map<string, number>();
    for (let step = 0; step < STEPS; step++) {
      if (rng.int(5) === 0) {
        const client = rng.pick(clients);
        await sync(client);
        expect(ascending(client.list), `seed ${SEED} step ${step}: ${client.dialect} client of ${client.user.id}`).to.deep.equal(
          model.contactsOf(client.user.id),
        );
        continue;
      }
      const kind = rng.pick<Kind>(['request', 'request', 'accept', 'remove']);
      const dialect = rng.pick<Dialect>(['im', 'v1']);
      const actor = rng.pick(users);
      const other = targetOf(rng, kind, actor);
      const ask = `step ${step} "hi" 🙂`;
      const outcome = model.apply(kind, actor.id, other, ask);
      outcomes.set(`${kind} ${outcome}`, (outcomes.get(`${kind} ${outcome}`) ?? 0) + 1);
      const answer = await send(dialect, kind, actor, other, ask);
      expect(answer, `seed ${SEED} step ${step}: ${dialect} ${kind} ${actor.id} -> ${other}`).to.deep.equal(
        expectedAnswer(dialect, kind, outcome),
      );
    }
    // The run explored every outcome, so the comparisons above meant something.
    expect([...outcomes.keys()].sort()).to.include.members([
      'accept no_request',
      'accept ok',
      'remove not_a_contact',
      'remove ok',
      'request cannot_add_self',
      'request contact_exists',
      'request ok',
      'request user_not_found',
      'request waiting_for_accept',
    ]);

    for (const client of clients) {
      await sync(client);
      const id = client.user.id;
      const expected = model.contactsOf(id);
      expect(ascending(client.list), `${client.dialect} client of ${id}`).to.deep.equal(expected);
      expect(ascending((await imContactChanges(t, client.user, 0)).added), `im full sync of ${id}`).to.deep.equal(expected);
      expect(ascending((await v1ContactChanges(t, client.user, 0)).added), `v1 full sync of ${id}`).to.deep.equal(expected);
    }
  });

  it('shows every pending request as the model has it, in both dialects', async () => {
    for (const user of users) {
      const requests = (await v1As(t, user, 'GET', '/v1/contacts/requests')).body as {
        received: Array<{ user_id: number; ask: string }>;
        sent: Array<{ user_id: number; ask: string }>;
      };
      const byUser = (a: { user_id: number }, b: { user_id: number }) => a.user_id - b.user_id;
      expect(requests.received.map(({ user_id, ask }) => ({ user_id, ask })).sort(byUser)).to.deep.equal(
        model
          .received(user.id)
          .map(({ from, ask }) => ({ user_id: from, ask }))
          .sort(byUser),
      );
      expect(requests.sent.map(({ user_id, ask }) => ({ user_id, ask })).sort(byUser)).to.deep.equal(
        model
          .sent(user.id)
          .map(({ to, ask }) => ({ user_id: to, ask }))
          .sort(byUser),
      );
      const preContacts = (await imAs(t, user, 'GET', '/pre_contact/0'))['pre_contact'] ?? [];
      expect(preContacts.map((row) => ({ user_id: row['user_id'] as number, ask: row['message'] as string })).sort(byUser)).to.deep.equal(
        model
          .received(user.id)
          .map(({ from, ask }) => ({ user_id: from, ask }))
          .sort(byUser),
      );
    }
  });

  it('converges under concurrent commands: incremental clients equal full syncs, and the relation stays symmetric', async () => {
    const rng = seededRandom(SEED + 1);
    const kinds: Kind[] = ['request', 'accept', 'remove'];
    const commands = Array.from({ length: 120 }, () => ({
      kind: rng.pick(kinds),
      dialect: rng.pick<Dialect>(['im', 'v1']),
      actor: rng.pick(users),
      other: rng.pick(users).id,
    }));
    const answers = await Promise.all(commands.map((command) => send(command.dialect, command.kind, command.actor, command.other, 'race')));
    for (const [i, answer] of answers.entries()) {
      const { kind, dialect } = commands[i]!;
      const allowed = (['ok', 'cannot_add_self', 'contact_exists', 'waiting_for_accept', 'no_request', 'not_a_contact'] as const).map(
        (outcome) => expectedAnswer(dialect, kind, outcome),
      );
      expect(allowed, JSON.stringify(answer)).to.deep.include(answer);
    }
    const lists = new Map<number, number[]>();
    for (const client of clients) {
      await sync(client);
      const full = ascending((await changesIn(client.dialect === 'im' ? 'v1' : 'im', client.user, 0)).added);
      expect(ascending(client.list), `${client.dialect} client of ${client.user.id}`).to.deep.equal(full);
      lists.set(client.user.id, full);
    }
    for (const [user, list] of lists) for (const other of list) expect(lists.get(other), `${user} and ${other}`).to.include(user);
  });
});
