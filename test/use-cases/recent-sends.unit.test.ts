import { expect } from 'chai';
import { CLIENT_ID_WINDOW_MS } from '../../src/commands/message.js';
import type { MessageSent } from '../../src/events/message.js';
import type { RecordedEvent } from '../../src/events/recorded-event.js';
import { RecentSends } from '../../src/use-cases/recent-sends.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

function sent(position: number, clientId: string | null, at: string, device = 'phone', sender = 1): RecordedEvent {
  const data: MessageSent['data'] = { roomId: 9, sender, device, clientId, kind: 'text', text: `m${position}`, mediaId: null };
  return {
    id: `e${position}`,
    stream: 'messages-9-20260301',
    revision: position - 1,
    position,
    type: 'MessageSent',
    data,
    metadata: { correlationId: 'c', at },
    created: 0,
  };
}

const other = (position: number): RecordedEvent => ({ ...sent(position, null, ago(0)), type: 'RoomMemberJoined', data: {} });

describe('RecentSends', function () {
  let empty: SqliteEventStore;
  before(() => (empty = SqliteEventStore.open({ file: ':memory:', durability: 'normal' })));
  after(() => empty.close());

  it('loads the sends of the window from the end of the log, up to the position it is given', async function () {
    const store = SqliteEventStore.open({ file: ':memory:', durability: 'normal' });
    try {
      const log = [
        sent(1, 'old', ago(CLIENT_ID_WINDOW_MS + 1000)),
        sent(2, 'a', ago(60_000)),
        sent(3, null, ago(30_000)),
        sent(4, 'b', ago(1000)),
        sent(5, 'later', ago(0)),
      ];
      for (const { stream, type, data, metadata } of log) await store.append(stream, [{ type, data, metadata }]);
      const recent = await RecentSends.load(store, 4, NOW);
      expect(recent.find(1, 'phone', 'a', NOW)?.position).to.equal(2);
      expect(recent.find(1, 'phone', 'b', NOW)).to.deep.equal({ position: 4, at: ago(1000), data: log[3]!.data });
      expect(recent.find(1, 'phone', 'old', NOW), 'past the window').to.equal(null);
      expect(recent.find(1, 'phone', 'later', NOW), 'after the position: the live feed brings it').to.equal(null);
      expect(recent.position).to.equal(4);
      recent.record(log[4]!);
      expect(recent.find(1, 'phone', 'later', NOW)?.position).to.equal(5);
    } finally {
      await store.close();
    }
  });

  it('answers the newest send of a key, for that sender and device only, until the window has passed', async function () {
    const recent = await RecentSends.load(empty, 0, NOW);
    recent.record(sent(1, 'x', ago(CLIENT_ID_WINDOW_MS - 5000)));
    recent.record(sent(2, 'x', ago(1000)));
    recent.record(sent(3, 'c', ago(1000), 'a:b'));
    expect(recent.find(1, 'phone', 'x', NOW)?.position).to.equal(2);
    expect(recent.find(2, 'phone', 'x', NOW), 'another sender').to.equal(null);
    expect(recent.find(1, 'tablet', 'x', NOW), 'another device').to.equal(null);
    expect(recent.find(1, 'a:b', 'c', NOW)?.position).to.equal(3);
    expect(recent.find(1, 'a', 'b:c', NOW), 'the same characters, split elsewhere').to.equal(null);
    expect(recent.find(1, 'phone', 'x', NOW + CLIENT_ID_WINDOW_MS)).to.equal(null);
  });

  it('ignores what it has already seen and moves its position with every event', async function () {
    const recent = await RecentSends.load(empty, 10, NOW);
    recent.record(sent(7, 'stale', ago(0)));
    recent.record(other(11));
    expect(recent.find(1, 'phone', 'stale', NOW)).to.equal(null);
    expect(recent.position).to.equal(11);
  });

  it('forgets sends once they are older than the window, as the clock moves', async function () {
    const recent = await RecentSends.load(empty, 0, NOW);
    const now = Date.now();
    const at = (ms: number) => new Date(now - ms).toISOString();
    recent.record(sent(1, 'gone', at(CLIENT_ID_WINDOW_MS + 60_000)));
    recent.record(sent(2, 'kept', at(CLIENT_ID_WINDOW_MS + 60_000)));
    // The same key again within the window: the newer send stays when the older one expires.
    recent.record(sent(3, 'kept', at(0)));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    recent.record(sent(4, 'new', at(0)));
    expect(recent.size).to.equal(2);
    expect(recent.find(1, 'phone', 'kept')?.position).to.equal(3);
  });

  it('tells when a position is recorded, and gives up after a while', async function () {
    const recent = await RecentSends.load(empty, 3, NOW);
    expect(await recent.reached(3, 10)).to.equal(true);
    const reached = recent.reached(5, 1000);
    recent.record(other(4));
    recent.record(sent(5, 'x', ago(0)));
    expect(await reached).to.equal(true);
    expect(await recent.reached(6, 10)).to.equal(false);
  });
});
