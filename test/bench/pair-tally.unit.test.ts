import { expect } from 'chai';
import { ErrorLog } from '../../bench/harness/error-log.js';
import type { PairStatus } from '../../bench/harness/pair-protocol.js';
import { tallyPairs } from '../../bench/harness/pair-tally.js';
import { ReceivedLedger } from '../../bench/harness/received-ledger.js';
import { SentLedger, textOf } from '../../bench/harness/sent-ledger.js';

const SENDER = 7;
const RECIPIENT = 8;

const delivery = (seq: number, fields: Record<string, string | number> = {}) => ({
  type: 'm',
  fields: { id: String(seq), c: textOf(SENDER, seq), to: RECIPIENT, from: SENDER, mid: 100 + seq, ...fields },
});

const ack = (seq: number) => ({ type: 'a', fields: { id: String(seq), mid: 100 + seq } });

/** A pair whose sender is in worker 0 and recipient in worker 1, as the pair workers report it. */
function statuses(sent: number, received: number, highest: number, errors = 0): PairStatus[] {
  const clean = { count: 0, first: [] };
  return [
    { senders: [{ pair: 3, sent, acknowledged: sent }], recipients: [], errors: clean },
    { senders: [], recipients: [{ pair: 3, received, highest }], errors: { count: errors, first: errors ? ['wrong'] : [] } },
  ];
}

describe('bench ledgers and their tally across workers', () => {
  it('accepts each message once and each acknowledgement once', () => {
    const errors = new ErrorLog();
    const sent = new SentLedger(SENDER, RECIPIENT, errors);
    const received = new ReceivedLedger(SENDER, RECIPIENT, errors);
    sent.send(1);
    sent.send(2);
    expect(received.receive(delivery(1), 3)).to.equal(true);
    expect(received.receive(delivery(0), 4)).to.equal(true);
    expect(sent.acknowledge(ack(0), 5)).to.equal(true);
    expect([received.received, received.highest, sent.unacknowledged, errors.count]).to.deep.equal([2, 1, 1, 0]);
    expect(received.receivedAt).to.deep.equal([4, 3]);
    expect(sent.stamps.ackedAt).to.deep.equal([5, NaN]);
  });

  it('counts a duplicate, a wrong field, a missing mid and an unsent acknowledgement as errors', () => {
    const errors = new ErrorLog();
    const sent = new SentLedger(SENDER, RECIPIENT, errors);
    const received = new ReceivedLedger(SENDER, RECIPIENT, errors);
    sent.send(1);
    received.receive(delivery(0), 2);
    expect(received.receive(delivery(0), 3)).to.equal(false);
    expect(received.receive(delivery(1, { c: 'bench 7 2' }), 3)).to.equal(false);
    expect(received.receive(delivery(1, { to: 9 }), 3)).to.equal(false);
    expect(received.receive(delivery(1, { mid: 'x' }), 3)).to.equal(false);
    sent.acknowledge(ack(0), 4);
    expect(sent.acknowledge(ack(0), 5)).to.equal(false);
    expect(sent.acknowledge(ack(1), 5)).to.equal(false);
    expect(sent.acknowledge({ type: 'a', fields: { id: '0' } }, 5)).to.equal(false);
    expect(errors.count).to.equal(7);
  });

  it('puts a sender in one worker and its recipient in another together', () => {
    expect(tallyPairs(statuses(5, 5, 4))).to.deep.include({ undelivered: 0, unacknowledged: 0 });
    expect(tallyPairs(statuses(5, 3, 4))).to.deep.include({ undelivered: 2 });
    expect(tallyPairs(statuses(5, 5, 4, 1)).errors.count).to.equal(1);
  });

  it('finds a message delivered that was never sent, even when the counts match', () => {
    const tally = tallyPairs(statuses(5, 5, 5));
    expect(tally.errors.count).to.equal(1);
    expect(tally.errors.first[0]).to.match(/message 5 delivered, but only 5 were sent/);
  });
});
