import { expect } from 'chai';
import {
  acceptContact,
  contactDecider,
  removeContact,
  requestContact,
  type ContactCommand,
  type ContactState,
} from '../../src/commands/contact.js';
import { Refusal, fold } from '../../src/commands/decider.js';
import { contactStream, type ContactEvent } from '../../src/events/contact.js';
import { userStream } from '../../src/events/user.js';
import type { EventStore } from '../../src/store/ports/event-store.js';
import { meta, tempEventStore } from '../support/stores.js';
import { refusalOf } from '../support/refusal.js';

const strangers: ContactState = { status: 'strangers' };
const requested = (from: number, to: number): ContactState => ({ status: 'requested', from, to });
const contacts: ContactState = { status: 'contacts' };

const request = (from: number, to: number, ask = 'hi', targetExists = true): ContactCommand => ({
  kind: 'request',
  from,
  to,
  ask,
  targetExists,
});

/** The refusal code, or the types of the events decided. */
function outcome(state: ContactState, command: ContactCommand): string | string[] {
  const decision = contactDecider.decide(state, command);
  return decision instanceof Refusal ? decision.code : decision.map((event) => event.type);
}

describe('contactDecider', () => {
  it('records a request with its greeting', () => {
    expect(contactDecider.decide(strangers, request(1, 2, 'hello'))).to.deep.equal([
      { type: 'ContactRequested', data: { from: 1, to: 2, ask: 'hello' } },
    ]);
  });

  it('refuses a request to oneself, to nobody, or with a greeting over 100 characters', () => {
    expect(outcome(strangers, request(1, 1))).to.equal('cannot_add_self');
    expect(outcome(strangers, request(1, 2, 'hi', false))).to.equal('user_not_found');
    expect(outcome(strangers, request(1, 2, 'x'.repeat(101)))).to.equal('invalid_ask');
    expect(outcome(strangers, request(1, 2, 'x'.repeat(100)))).to.deep.equal(['ContactRequested']);
    // Characters, not UTF-16 units: 100 emoji are 200 units and still fit.
    expect(outcome(strangers, request(1, 2, '🙂'.repeat(100)))).to.deep.equal(['ContactRequested']);
  });

  it('allows one pending request per pair, in either direction, and none between contacts', () => {
    expect(outcome(requested(1, 2), request(1, 2))).to.equal('waiting_for_accept');
    expect(outcome(requested(1, 2), request(2, 1))).to.equal('waiting_for_accept');
    expect(outcome(contacts, request(2, 1))).to.equal('contact_exists');
  });

  it('lets only the target accept or decline, and only the sender cancel', () => {
    expect(outcome(requested(1, 2), { kind: 'accept', by: 2, requester: 1 })).to.deep.equal(['ContactAccepted']);
    expect(outcome(requested(1, 2), { kind: 'accept', by: 1, requester: 2 })).to.equal('no_request');
    expect(outcome(strangers, { kind: 'accept', by: 2, requester: 1 })).to.equal('no_request');
    expect(outcome(contacts, { kind: 'accept', by: 2, requester: 1 })).to.equal('no_request');
    expect(outcome(requested(1, 2), { kind: 'decline', by: 2, requester: 1 })).to.deep.equal(['ContactDeclined']);
    expect(outcome(requested(1, 2), { kind: 'decline', by: 1, requester: 2 })).to.equal('no_request');
    expect(outcome(requested(1, 2), { kind: 'cancel', by: 1, target: 2 })).to.deep.equal(['ContactRequestCancelled']);
    expect(outcome(requested(1, 2), { kind: 'cancel', by: 2, target: 1 })).to.equal('no_request');
  });

  it('lets either party delete a contact, and refuses to delete what is not one', () => {
    expect(outcome(contacts, { kind: 'delete', by: 1, other: 2 })).to.deep.equal(['ContactDeleted']);
    expect(outcome(contacts, { kind: 'delete', by: 2, other: 1 })).to.deep.equal(['ContactDeleted']);
    expect(outcome(strangers, { kind: 'delete', by: 1, other: 2 })).to.equal('not_a_contact');
    expect(outcome(requested(1, 2), { kind: 'delete', by: 1, other: 2 })).to.equal('not_a_contact');
  });

  it('folds a history back to the state it leads to', () => {
    const history: ContactEvent[] = [
      { type: 'ContactRequested', data: { from: 3, to: 1, ask: '' } },
      { type: 'ContactAccepted', data: { by: 1, requester: 3 } },
      { type: 'ContactDeleted', data: { by: 3, other: 1 } },
      { type: 'ContactRequested', data: { from: 1, to: 3, ask: 'again' } },
    ];
    expect(fold(contactDecider, history)).to.deep.equal(requested(1, 3));
    expect(fold(contactDecider, history.slice(0, 2))).to.deep.equal(contacts);
    expect(fold(contactDecider, history.slice(0, 3))).to.deep.equal(strangers);
  });
});

describe('contact commands', () => {
  let store: EventStore;
  const context = { actor: 1, device: 'android', session: 's-1' };

  beforeEach(async () => {
    store = await tempEventStore();
    for (const userId of [1, 2, 3]) {
      const data = { userId, name: `u${userId}`, login: null, phone: null, passwordHash: 'x', avatar: '' };
      await store.append(userStream(userId), [{ type: 'UserRegistered', data, metadata: meta }]);
    }
  });
  afterEach(() => store.close());

  it('refuses a request to a user who never registered, without appending', async () => {
    const head = await store.headPosition();
    expect(await refusalOf(requestContact(store, { from: 1, to: 99, ask: 'hi' }, context))).to.equal('user_not_found');
    expect(await store.headPosition()).to.equal(head);
  });

  it('appends to the pair stream with the caller in the metadata and answers the position', async () => {
    const position = await requestContact(store, { from: 2, to: 1, ask: 'hi' }, { ...context, actor: 2 });
    const [event] = await store.readStream(contactStream(1, 2));
    expect(event).to.deep.include({ type: 'ContactRequested', data: { from: 2, to: 1, ask: 'hi' }, position });
    expect(event?.metadata).to.deep.include({ actor: 2, device: 'android', session: 's-1' });
    expect(await acceptContact(store, { by: 1, requester: 2 }, context)).to.be.greaterThan(position);
  });

  it('removes whatever is between two users: a contact, a request received, a request sent', async () => {
    await requestContact(store, { from: 1, to: 2, ask: '' }, context);
    await removeContact(store, { by: 2, other: 1 }, context);
    await requestContact(store, { from: 1, to: 2, ask: '' }, context);
    await removeContact(store, { by: 1, other: 2 }, context);
    await requestContact(store, { from: 1, to: 2, ask: '' }, context);
    await acceptContact(store, { by: 2, requester: 1 }, context);
    await removeContact(store, { by: 2, other: 1 }, context);
    expect(await refusalOf(removeContact(store, { by: 1, other: 2 }, context))).to.equal('not_a_contact');
    const types = (await store.readStream(contactStream(1, 2))).map((event) => event.type);
    expect(types).to.deep.equal([
      'ContactRequested',
      'ContactDeclined',
      'ContactRequested',
      'ContactRequestCancelled',
      'ContactRequested',
      'ContactAccepted',
      'ContactDeleted',
    ]);
  });

  it('lets exactly one of two crossing requests through', async () => {
    const outcomes = await Promise.all([
      refusalOf(requestContact(store, { from: 1, to: 3, ask: '' }, context)),
      refusalOf(requestContact(store, { from: 3, to: 1, ask: '' }, context)),
      refusalOf(requestContact(store, { from: 1, to: 3, ask: '' }, context)),
    ]);
    expect(outcomes.filter((each) => each === 'accepted')).to.have.length(1);
    expect(outcomes.filter((each) => each === 'waiting_for_accept')).to.have.length(2);
    expect(await store.readStream(contactStream(1, 3))).to.have.length(1);
  });

  it('ends a request exactly once when it is accepted and removed at the same time', async () => {
    await requestContact(store, { from: 1, to: 2, ask: '' }, context);
    const [accepted, removed] = await Promise.all([
      refusalOf(acceptContact(store, { by: 2, requester: 1 }, context)),
      refusalOf(removeContact(store, { by: 1, other: 2 }, context)),
    ]);
    const types = (await store.readStream(contactStream(1, 2))).map((event) => event.type);
    // Either the accept came first and the removal deleted the contact, or the removal cancelled the request first.
    expect(removed).to.equal('accepted');
    if (accepted === 'accepted') {
      expect(types).to.deep.equal(['ContactRequested', 'ContactAccepted', 'ContactDeleted']);
    } else {
      expect(accepted).to.equal('no_request');
      expect(types).to.deep.equal(['ContactRequested', 'ContactRequestCancelled']);
    }
  });
});
