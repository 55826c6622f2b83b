import { expect } from 'chai';
import { PresenceTable } from '../../src/use-cases/presence-table.js';

describe('the presence table', () => {
  let now: number;
  let table: PresenceTable;
  const online = (userId: number, process: string, at = now) => ({
    kind: 'presence' as const,
    userId,
    process,
    state: 'online' as const,
    at,
  });
  const away = (userId: number, process: string, at = now) => ({ kind: 'presence' as const, userId, process, state: 'away' as const, at });
  const offline = (userId: number, process: string, at = now) => ({ kind: 'presence_offline' as const, userId, process, at });

  beforeEach(() => {
    now = 1_000_000;
    table = new PresenceTable({ maxUsers: 100, now: () => now, expiryMs: 30_000 });
  });

  it('says offline with no last seen for a user it never heard of', () => {
    expect(table.presence(7)).to.deep.equal({ presence: 'offline', lastSeen: null });
  });

  it('is online while some process says so, away only when every process says away, offline with the last seen after the last', () => {
    expect(table.apply(online(1, 'a'), now + 30_000)).to.deep.equal([1]);
    expect(table.presence(1)).to.deep.equal({ presence: 'online', lastSeen: null });
    now += 100;
    expect(table.apply(away(1, 'b'), now + 30_000), 'still online on a').to.deep.equal([]);
    expect(table.presence(1).presence).to.equal('online');
    now += 100;
    expect(table.apply(offline(1, 'a'), now + 30_000)).to.deep.equal([1]);
    expect(table.presence(1)).to.deep.equal({ presence: 'away', lastSeen: null });
    now += 100;
    expect(table.apply(offline(1, 'b'), now + 30_000)).to.deep.equal([1]);
    expect(table.presence(1)).to.deep.equal({ presence: 'offline', lastSeen: now });
  });

  it('takes a renewal as no change, and a signal older than what the process said since as nothing', () => {
    table.apply(online(2, 'a'), now + 30_000);
    now += 10_000;
    expect(table.apply(online(2, 'a'), now + 30_000)).to.deep.equal([]);
    const closedAt = now;
    table.apply(offline(2, 'a'), now + 30_000);
    // The renewal seen again (the board's current signals, then the same among its live ones, at a start).
    expect(table.apply(online(2, 'a', closedAt - 10_000), now + 20_000)).to.deep.equal([]);
    expect(table.presence(2)).to.deep.equal({ presence: 'offline', lastSeen: closedAt });
    now += 30_000;
    expect(table.expire(), 'the closed entry goes, the last seen stays').to.deep.equal([]);
    expect(table.presence(2)).to.deep.equal({ presence: 'offline', lastSeen: closedAt });
    now += 1;
    expect(table.apply(online(2, 'a'), now + 30_000), 'a new word of the process').to.deep.equal([2]);
  });

  it("orders by the processes' `at`, not by arrival: an offline seen before the online it follows keeps that online from applying", () => {
    // On the EventStoreDB board the offline (living days) and the online (living the expiry) are on two streams.
    const connectedAt = now;
    now += 100;
    const closedAt = now;
    expect(table.apply(offline(5, 'a', closedAt), closedAt + 7 * 24 * 3600_000)).to.deep.equal([5]);
    expect(table.apply(online(5, 'a', connectedAt), connectedAt + 30_000), 'the online, arriving late').to.deep.equal([]);
    expect(
      table.apply({ kind: 'presence_renewed', process: 'a', at: connectedAt + 50, online: [5], away: [] }, connectedAt + 30_050),
    ).to.deep.equal([]);
    expect(table.presence(5)).to.deep.equal({ presence: 'offline', lastSeen: closedAt });
    now = closedAt + 30_000;
    expect(table.expire(), 'the offline is forgotten once nothing said before it can still apply').to.deep.equal([]);
    expect(table.apply(online(5, 'a'), now + 30_000), 'a new word of the process').to.deep.equal([5]);
  });

  it('applies an offline older than a newer online of the same process as nothing, whichever arrives first', () => {
    table.apply(online(6, 'a', now), now + 30_000);
    const closedAt = now + 10;
    const reconnectedAt = now + 20;
    now += 30;
    expect(table.apply(online(6, 'a', reconnectedAt), reconnectedAt + 30_000)).to.deep.equal([]);
    expect(table.apply(offline(6, 'a', closedAt), closedAt + 7 * 24 * 3600_000), 'the offline, arriving late').to.deep.equal([]);
    expect(table.presence(6)).to.deep.equal({ presence: 'online', lastSeen: null });
  });

  it('takes a process that stops renewing as gone: its users go offline at the expiry, last seen at its last word', () => {
    table.apply(online(3, 'dead'), now + 30_000);
    table.apply(online(4, 'dead'), now + 30_000);
    table.apply(online(4, 'alive'), now + 30_000);
    const lastWord = now;
    now += 29_999;
    expect(table.expire()).to.deep.equal([]);
    table.apply(online(4, 'alive'), now + 30_000);
    now += 1;
    expect(table.expire()).to.deep.equal([3]);
    expect(table.presence(3)).to.deep.equal({ presence: 'offline', lastSeen: lastWord });
    expect(table.presence(4).presence, 'still connected to another process').to.equal('online');
    expect(table.apply(online(5, 'late'), now - 1), 'an expired signal').to.deep.equal([]);
    expect(table.presence(5).presence).to.equal('offline');
  });

  it('answers offline past the expiry even before the timer has dropped the entry', () => {
    table.apply(online(6, 'dead'), now + 30_000);
    const lastWord = now;
    now += 30_000;
    expect(table.presence(6)).to.deep.equal({ presence: 'offline', lastSeen: lastWord });
    expect(table.expire(), 'the watchers are still told').to.deep.equal([6]);
    expect(table.presence(6)).to.deep.equal({ presence: 'offline', lastSeen: lastWord });
  });

  it('takes one renewal for every user of a process, and tells the users whose presence it changes', () => {
    table.apply(online(6, 'a'), now + 3000);
    table.apply(away(7, 'a'), now + 3000);
    now += 2000;
    const renewal = { kind: 'presence_renewed' as const, process: 'a', at: now, online: [6, 8], away: [7] };
    expect(table.apply(renewal, now + 3000), 'user 8 was not known online').to.deep.equal([8]);
    now += 2000;
    expect(table.expire(), 'renewed: nobody expires at the first expiry').to.deep.equal([]);
    now += 1000;
    expect(table.expire().sort()).to.deep.equal([6, 7, 8]);
    expect(table.presence(7)).to.deep.equal({ presence: 'offline', lastSeen: now - 3000 });
  });

  it('forgets the offline users touched longest ago past its bound, never an online one', () => {
    const small = new PresenceTable({ maxUsers: 2, now: () => now, expiryMs: 30_000 });
    small.apply(online(1, 'a'), now + 30_000);
    small.apply(offline(2, 'a'), now + 30_000);
    small.apply(offline(3, 'a'), now + 30_000);
    small.apply(offline(4, 'a'), now + 30_000);
    expect(small.size).to.equal(2);
    expect(small.presence(1).presence).to.equal('online');
    expect(small.presence(2).lastSeen).to.equal(null);
    expect(small.presence(4).lastSeen).to.equal(now);
  });
});
