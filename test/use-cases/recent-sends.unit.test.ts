import { expect } from 'chai';
import { CLIENT_ID_WINDOW_MS, sendContent } from '../../src/commands/message.js';
import type { MediaUploaded } from '../../src/events/media.js';
import type { MessageSent } from '../../src/events/message.js';
import type { StoredEvent } from '../../src/events/eschat-event.js';
import { RecentSends } from '../../src/use-cases/recent-sends.js';
import { SqliteEventStore } from '../../src/store/sqlite/sqlite-event-store.js';
import { ScanCountingStore } from '../support/scan-counting-store.js';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

const HELLO = sendContent(9, 'text', 'hello');

function sent(
  position: number,
  clientId: string | null,
  at: string,
  device = 'phone',
  sender = 1,
  text = 'hello',
  roomId = 9,
): StoredEvent {
  const data: MessageSent['data'] = { roomId, sender, device, clientId, kind: 'text', text, mediaId: null };
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

const other = (position: number): StoredEvent => ({ ...sent(position, null, ago(0)), type: 'RoomMemberJoined', data: {} });

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
      expect(recent.find(1, 'phone', 'a', HELLO, NOW).same?.position).to.equal(2);
      expect(recent.find(1, 'phone', 'b', HELLO, NOW).same).to.deep.equal({ position: 4, at: ago(1000), data: log[3]!.data });
      expect(recent.find(1, 'phone', 'old', HELLO, NOW).same, 'past the window').to.equal(null);
      expect(recent.find(1, 'phone', 'later', HELLO, NOW).same, 'after the position: the live feed brings it').to.equal(null);
      expect(recent.position).to.equal(4);
      recent.record(log[4]!);
      expect(recent.find(1, 'phone', 'later', HELLO, NOW).same?.position).to.equal(5);
    } finally {
      await store.close();
    }
  });

  it('reads the log back to the window only, however many events of other types precede the last sends', async function () {
    const sqlite = SqliteEventStore.open({ file: ':memory:', durability: 'normal' });
    const store = new ScanCountingStore(sqlite);
    try {
      await sqlite.append('messages-9-20260301', [
        { type: 'MessageSent', data: sent(1, 'a', ago(0)).data, metadata: { correlationId: 'c', at: ago(3 * CLIENT_ID_WINDOW_MS) } },
      ]);
      // A long quiet stretch: events of other types, all older than the window.
      const quiet = Array.from({ length: 5000 }, () => ({
        type: 'RoomMemberJoined',
        data: {},
        metadata: { correlationId: 'c', at: ago(2 * CLIENT_ID_WINDOW_MS) },
      }));
      await sqlite.append('room-1', quiet);
      const recent = await RecentSends.load(store, await sqlite.headPosition(), NOW);
      expect(recent.size).to.equal(0);
      expect(store.scanned, 'one page, not the 5,000 events back to the last send').to.be.at.most(1000);
    } finally {
      await store.close();
    }
  });

  it('answers the newest send of a key, for that sender and device only, until the window has passed', async function () {
    const recent = await RecentSends.load(empty, 0, NOW);
    recent.record(sent(1, 'x', ago(CLIENT_ID_WINDOW_MS - 5000)));
    recent.record(sent(2, 'x', ago(1000)));
    recent.record(sent(3, 'c', ago(1000), 'a:b'));
    expect(recent.find(1, 'phone', 'x', HELLO, NOW).same?.position).to.equal(2);
    expect(recent.find(2, 'phone', 'x', HELLO, NOW).same, 'another sender').to.equal(null);
    expect(recent.find(1, 'tablet', 'x', HELLO, NOW).same, 'another device').to.equal(null);
    expect(recent.find(1, 'a:b', 'c', HELLO, NOW).same?.position).to.equal(3);
    expect(recent.find(1, 'a', 'b:c', HELLO, NOW).same, 'the same characters, split elsewhere').to.equal(null);
    expect(recent.find(1, 'phone', 'x', HELLO, NOW + CLIENT_ID_WINDOW_MS).same).to.equal(null);
  });

  it('ignores what it has already seen and moves its position with every event', async function () {
    const recent = await RecentSends.load(empty, 10, NOW);
    recent.record(sent(7, 'stale', ago(0)));
    recent.record(other(11));
    expect(recent.find(1, 'phone', 'stale', HELLO, NOW).same).to.equal(null);
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
    expect(recent.find(1, 'phone', 'kept', HELLO).same?.position).to.equal(3);
  });

  it('tells a retry (same id, room, kind and text) from an id used again for another message', async function () {
    const recent = await RecentSends.load(empty, 0);
    const now = new Date().toISOString();
    recent.record(sent(1, 'a_03', now, 'phone', 1, 'one'));
    recent.record(sent(2, 'a_03', now, 'phone', 1, 'two'));
    recent.record(sent(3, 'a_03', now, 'phone', 1, 'one', 10));
    recent.record(sent(4, 'solo', now, 'phone', 1, 'one'));
    expect(recent.find(1, 'phone', 'a_03', sendContent(9, 'text', 'one')))
      .to.deep.include({ others: true })
      .and.nested.include({ 'same.position': 1 });
    expect(recent.find(1, 'phone', 'a_03', sendContent(9, 'text', 'two')).same?.position).to.equal(2);
    expect(recent.find(1, 'phone', 'a_03', sendContent(10, 'text', 'one')).same?.position, 'another room').to.equal(3);
    expect(recent.find(1, 'phone', 'a_03', sendContent(9, 'text', 'three'))).to.deep.equal({ same: null, others: true });
    expect(recent.find(1, 'phone', 'a_03', sendContent(9, 'audio', 'one')).same, 'another kind').to.equal(null);
    expect(recent.find(1, 'phone', 'solo', sendContent(9, 'text', 'one')).others, 'the one send under the id is this one').to.equal(false);
    expect(recent.find(1, 'phone', 'solo', sendContent(9, 'text', 'other')).others).to.equal(true);
    expect(recent.find(1, 'phone', 'unused', sendContent(9, 'text', 'one'))).to.deep.equal({ same: null, others: false });
  });

  it('knows a media message by the digest its upload recorded, from the log and live', async function () {
    const store = SqliteEventStore.open({ file: ':memory:', durability: 'normal' });
    try {
      const metadata = { correlationId: 'c', at: new Date().toISOString() };
      const upload = (mediaId: string, sha256: string): MediaUploaded['data'] => ({
        mediaId,
        owner: 1,
        kind: 'image',
        contentType: 'image/png',
        size: 3,
        sha256,
      });
      const media = (mediaId: string, clientId: string): MessageSent['data'] => ({
        roomId: 9,
        sender: 1,
        device: 'phone',
        clientId,
        kind: 'image',
        text: null,
        mediaId,
      });
      await store.append('media-m1', [{ type: 'MediaUploaded', data: upload('m1', 'aaa'), metadata }]);
      const { position } = await store.append('messages-9-x', [{ type: 'MessageSent', data: media('m1', 'img'), metadata }]);
      const recent = await RecentSends.load(store, position);
      expect(recent.find(1, 'phone', 'img', sendContent(9, 'image', 'aaa')).same?.position).to.equal(position);
      expect(recent.find(1, 'phone', 'img', sendContent(9, 'image', 'bbb'))).to.deep.equal({ same: null, others: true });
      const envelope = (position: number) => ({ id: `e${position}`, stream: 's', revision: 0, position, metadata, created: 0 });
      const live = {
        upload: (data: MediaUploaded['data'], position: number): StoredEvent => ({ ...envelope(position), type: 'MediaUploaded', data }),
        sent: (data: MessageSent['data'], position: number): StoredEvent => ({ ...envelope(position), type: 'MessageSent', data }),
      };
      recent.record(live.upload(upload('m2', 'bbb'), position + 1));
      recent.record(live.sent(media('m2', 'img2'), position + 2));
      recent.record(live.sent(media('never-uploaded', 'img3'), position + 3));
      expect(recent.find(1, 'phone', 'img2', sendContent(9, 'image', 'bbb')).same?.position).to.equal(position + 2);
      expect(recent.find(1, 'phone', 'img3', sendContent(9, 'image', 'aaa')).same, 'no digest: no retry matches').to.equal(null);
    } finally {
      await store.close();
    }
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
