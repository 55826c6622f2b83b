import { expect } from 'chai';
import type { StoredEvent } from '../../../src/events/eschat-event.js';
import type { RecordedEvent, UserId } from '../../../src/events/recorded-event.js';
import { isEschatEvent } from '../../../src/events/event-types.js';
import { createLogger } from '../../../src/platform/logger.js';
import { Metrics } from '../../../src/platform/metrics.js';
import type { ReadModels } from '../../../src/projections/read-models.js';
import { RoutingState, type RoomStreamPage } from '../../../src/projections/routing-state.js';
import { ConnectionRegistry } from '../../../src/realtime/delivery/connection-registry.js';
import type { Delivery } from '../../../src/realtime/delivery/delivery.js';
import { FanOut } from '../../../src/realtime/delivery/fan-out.js';
import { ReadSignals } from '../../../src/realtime/delivery/read-signals.js';

const metadata = { correlationId: 'c', at: '2026-01-01T00:00:00.000Z' };

function event(position: number, stream: string, type: string, data: Record<string, unknown>): RecordedEvent {
  const stored: StoredEvent = { id: `e${position}`, stream, revision: 0, position, type, data, metadata, created: 0 };
  if (!isEschatEvent(stored)) throw new Error(`not an event: ${type}`);
  return stored;
}

/** A registry that writes down who each delivery was handed to. */
class RecordingRegistry extends ConnectionRegistry {
  readonly handed: Array<{ position: number; kind: string; users: UserId[] }> = [];

  constructor() {
    super(new Metrics(), 10);
  }

  override deliver(users: Iterable<UserId>, delivery: Delivery): void {
    this.handed.push({ position: delivery.position, kind: delivery.kind, users: [...users].sort((a, b) => a - b) });
  }
}

const noReadModels: ReadModels = {
  collection: () => {
    throw new Error('no read models here');
  },
  waitFor: () => Promise.resolve(true),
};

describe('FanOut', function () {
  it('routes in order behind a room being read, each message to the members at its own position', async function () {
    const room = { roomId: 1, kind: 'group' };
    const created = event(1, 'room-1', 'RoomCreated', { ...room, name: 'g', creator: 1, key: 'k', members: [1, 2] });
    const removal = event(3, 'room-1', 'RoomMemberRemoved', { ...room, userId: 2, by: 1, members: [1] });
    const message = (position: number): RecordedEvent =>
      event(position, 'messages-1', 'MessageSent', {
        roomId: 1,
        sender: 1,
        device: 'phone',
        clientId: null,
        kind: 'text',
        text: 'hi',
        mediaId: null,
      });
    // The stream holds the removal already (committed before the feed brings it); the read returns when the test says.
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const page: RoomStreamPage = async () => {
      await held;
      return [
        { ...removal, revision: 1 },
        { ...created, revision: 0 },
      ];
    };
    const routing = new RoutingState(page, 1, 10);
    const registry = new RecordingRegistry();
    const failures: unknown[] = [];
    const fanOut = new FanOut(routing, registry, 1, new ReadSignals(routing, registry, noReadModels, createLogger('silent')), (error) =>
      failures.push(error),
    );
    fanOut.route(message(2));
    fanOut.route(removal);
    fanOut.route(message(4));
    fanOut.route(event(5, 'contact-1-2', 'ContactRequested', { from: 1, to: 2, ask: '' }));
    expect(registry.handed, 'all wait behind the read of room 1').to.deep.equal([]);
    expect(fanOut.position).to.equal(1);
    let settled = false;
    void fanOut.settled().then(() => (settled = true));
    release();
    await fanOut.settled();
    expect(settled).to.equal(true);
    expect(registry.handed).to.deep.equal([
      { position: 2, kind: 'message', users: [1, 2] },
      { position: 3, kind: 'notification', users: [1, 2] },
      { position: 4, kind: 'message', users: [1] },
      { position: 5, kind: 'notification', users: [1, 2] },
    ]);
    expect(fanOut.position).to.equal(5);
    expect(failures).to.deep.equal([]);
    // Room 1 is in memory now: the next message goes at once.
    fanOut.route(message(6));
    expect(registry.handed.at(-1)).to.deep.equal({ position: 6, kind: 'message', users: [1] });
  });
});
