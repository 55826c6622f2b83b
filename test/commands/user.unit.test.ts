import { expect } from 'chai';
import { IdAllocator } from '../../src/commands/id-allocator.js';
import { verifyPassword } from '../../src/commands/password.js';
import { ORPHANED_CLAIM_MS, reservationDecider } from '../../src/commands/reservation.js';
import { registerUser, type Registration } from '../../src/commands/user.js';
import { loginReservationStream, userStream, type UserRegistered } from '../../src/events/user.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import { meta, tempEventStore } from '../support/stores.js';
import { refusalOf } from '../support/refusal.js';

/** No read models here: seeded at 0, an allocator steps past the ids taken through conflicts. */
const fromZero = (): IdAllocator => new IdAllocator(async () => 0);
const person = (login: string, phone: string | null = null): Registration => ({ name: login, login, phone, password: 'pw' });

describe('user registration', () => {
  let store: EventStore;
  beforeEach(async () => {
    store = await tempEventStore();
  });
  afterEach(() => store.close());

  it('records the user with an argon2id hash, never the password', async () => {
    const { userId } = await registerUser(store, fromZero(), person('ann'), {});
    const [event] = (await store.readStream(userStream(userId))) as unknown as UserRegistered[];
    expect(event?.data.passwordHash).to.match(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(JSON.stringify(await store.readAll())).not.to.include('"pw"');
    expect(await verifyPassword(event!.data.passwordHash, 'pw')).to.equal(true);
  });

  it('lets exactly one of many concurrent registrations of a login through', async () => {
    const ids = fromZero();
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => refusalOf(registerUser(store, ids, person('Same'), {}))));
    expect(outcomes.filter((outcome) => outcome === 'accepted')).to.have.length(1);
    expect(outcomes.filter((outcome) => outcome === 'login_taken')).to.have.length(7);
  });

  it('gives distinct ids to registrations from two processes sharing the log', async () => {
    const [a, b] = [fromZero(), fromZero()];
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => registerUser(store, i % 2 ? a : b, person(`user${i}`), {})));
    const ids = results.map((result) => result.userId);
    expect(new Set(ids).size).to.equal(12);
    for (const id of ids) expect(await store.readStream(userStream(id))).to.have.length(1);
  });

  it('refuses a taken phone, and frees the login it claimed on the way', async () => {
    const ids = fromZero();
    await registerUser(store, ids, person('first', '8613000000001'), {});
    expect(await refusalOf(registerUser(store, ids, person('second', '8613000000001'), {}))).to.equal('phone_taken');
    expect(await refusalOf(registerUser(store, ids, person('second', '8613000000002'), {}))).to.equal('accepted');
  });

  it('takes over a claim left by a crash, but not a fresh one', async () => {
    const stream = loginReservationStream('ghost');
    await store.append(stream, [{ type: 'ValueClaimed', data: { value: 'ghost', userId: 999, claimedAt: Date.now() }, metadata: meta }]);
    expect(await refusalOf(registerUser(store, fromZero(), person('ghost'), {}))).to.equal('login_taken');
    const old = Date.now() - ORPHANED_CLAIM_MS - 1000;
    await store.append(stream, [{ type: 'ValueClaimed', data: { value: 'ghost', userId: 998, claimedAt: old }, metadata: meta }]);
    expect(await refusalOf(registerUser(store, fromZero(), person('ghost'), {}))).to.equal('accepted');
  });

  it('refuses invalid input before touching the log', async () => {
    expect(await refusalOf(registerUser(store, fromZero(), person(''), {}))).to.equal('invalid_login');
    expect(await refusalOf(registerUser(store, fromZero(), { ...person('ok'), password: '' }, {}))).to.equal('invalid_password');
    expect(await refusalOf(registerUser(store, fromZero(), person('ok', '12ab'), {}))).to.equal('invalid_phone');
    expect(await store.headPosition()).to.equal(0);
  });
});

describe('reservationDecider', () => {
  const claim = (userId: number, holderRegistered: boolean, now = Date.now()) => ({
    kind: 'claim' as const,
    value: 'v',
    userId,
    now,
    holderRegistered,
  });

  it('claims a free value and refuses a held one', () => {
    const now = Date.now();
    expect(reservationDecider.decide(reservationDecider.initialState, claim(1, false, now))).to.deep.equal([
      { type: 'ValueClaimed', data: { value: 'v', userId: 1, claimedAt: now } },
    ]);
    const held = { holder: 1, claimedAt: Date.now() - 10 * ORPHANED_CLAIM_MS };
    expect(reservationDecider.decide(held, claim(2, true))).to.have.property('code', 'already_taken');
    expect(reservationDecider.decide(held, claim(2, false)))
      .to.be.an('array')
      .with.length(1);
  });

  it("releases only the holder's claim", () => {
    const held = { holder: 1, claimedAt: 0 };
    expect(reservationDecider.decide(held, { kind: 'release', value: 'v', userId: 2 })).to.deep.equal([]);
    expect(reservationDecider.decide(held, { kind: 'release', value: 'v', userId: 1 })).to.deep.equal([
      { type: 'ValueReleased', data: { value: 'v', userId: 1 } },
    ]);
  });
});
